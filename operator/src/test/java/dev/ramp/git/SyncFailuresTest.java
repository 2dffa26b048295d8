package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceSpec;
import dev.ramp.kube.ApiErrors;
import dev.ramp.kube.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.jgit.errors.LargeObjectException;
import org.junit.jupiter.api.Test;

/**
 * Which failures are the world's (retried with backoff, never a verdict on a commit) and which
 * the user's, and how long Ramp waits before trying again: no cluster needed.
 */
class SyncFailuresTest {

    private static KubernetesClientException answered(int code, String message) {
        return new KubernetesClientException(message, code, new StatusBuilder().withCode(code).withMessage(message).build());
    }

    @Test
    void busyFailingOrUnreachableApiServersAreTransient() {
        for (int code : new int[] {409, 429, 500, 503, 504}) {
            assertThat(ApiErrors.isTransient(answered(code, "x"))).as("HTTP %d", code).isTrue();
        }
        assertThat(ApiErrors.isTransient(new KubernetesClientException("no answer", new ConnectException("Connection refused"))))
                .isTrue();
        assertThat(ApiErrors.isTransient(new KubernetesClientException("slow", new SocketTimeoutException("timeout"))))
                .isTrue();
        assertThat(ApiErrors.isTransient(new KubernetesClientException("no code, no cause"))).isTrue();
        assertThat(ApiErrors.isTransient(new IOException("reset"))).isTrue();
    }

    @Test
    void answersAboutTheRequestAreNot() {
        for (int code : new int[] {400, 403, 404, 422}) {
            assertThat(ApiErrors.isTransient(answered(code, "x"))).as("HTTP %d", code).isFalse();
        }
        assertThat(ApiErrors.isTransient(new IllegalArgumentException("a bug"))).isFalse();
    }

    @Test
    void aTransientApiFailureIsRetriedAndARefusalIsTheUsersToFix() {
        GitSourceException busy = GitSourceException.fromApi("ValidationFailed", "ConfigMap team/a could not be validated",
                answered(503, "etcdserver: request timed out"));
        assertThat(busy.userFixable()).isFalse();
        assertThat(busy.reason()).isEqualTo(GitSourceException.TRANSIENT_API_ERROR);
        assertThat(busy).hasMessage("ConfigMap team/a could not be validated: the API server answered 503:"
                + " etcdserver: request timed out");

        GitSourceException conflict = GitSourceException.fromApi(ManifestApplier.APPLY_FAILED, "ConfigMap team/a",
                answered(409, "the object has been modified"));
        assertThat(conflict.userFixable()).isFalse();

        GitSourceException invalid = GitSourceException.fromApi("ValidationFailed", "Deployment team/d was refused",
                answered(422, "Deployment.apps \"d\" is invalid"));
        assertThat(invalid.userFixable()).isTrue();
        assertThat(invalid.reason()).isEqualTo("ValidationFailed");
        assertThat(invalid).hasMessage("Deployment team/d was refused: Deployment.apps \"d\" is invalid");

        GitSourceException forbidden = GitSourceException.fromApi("ValidationFailed", "ClusterRole admin2 was refused",
                answered(403, "clusterroles.rbac.authorization.k8s.io is forbidden"));
        assertThat(forbidden.userFixable()).isTrue();
        assertThat(forbidden.reason()).isEqualTo(GitSourceException.FORBIDDEN);
        assertThat(forbidden.getMessage()).contains("RBAC").contains("clusterroles.rbac.authorization.k8s.io is forbidden");
    }

    @Test
    void backoffDoublesFrom2sUpToTheIntervalAndAtMostFiveMinutesWithoutEnd() {
        Duration hour = Duration.ofHours(1);
        assertThat(GitSourceReconciler.backoff(1, hour)).hasSeconds(2);
        assertThat(GitSourceReconciler.backoff(2, hour)).hasSeconds(4);
        assertThat(GitSourceReconciler.backoff(8, hour)).hasSeconds(256);
        assertThat(GitSourceReconciler.backoff(9, hour)).hasMinutes(5);
        assertThat(GitSourceReconciler.backoff(1_000_000, hour)).hasMinutes(5);
        assertThat(GitSourceReconciler.backoff(Integer.MAX_VALUE, hour)).hasMinutes(5);
        assertThat(GitSourceReconciler.backoff(4, Duration.ofSeconds(10))).hasSeconds(10);
    }

    @Test
    void anUnforeseenExceptionBecomesAConditionAndARetryNeverAVerdict() {
        GitSourceReconciler reconciler = new GitSourceReconciler(null, null, new GitSourceConditions(new Conditions(
                Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC))), new SyncRequests());
        GitSource source = source("1h");

        ErrorStatusUpdateControl<GitSource> first = reconciler.updateErrorStatus(source, null,
                new LargeObjectException());
        assertThat(first.isNoRetry()).as("JOSDK's retry, with its attempt limit, is not used").isTrue();
        assertThat(first.getScheduleDelay()).contains(2_000L);
        GitSource patched = first.getResource().orElseThrow();
        assertThat(patched.getStatus().getFailures()).isEqualTo(1);
        Condition ready = GitFixture.condition(patched, GitSync.READY);
        assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(ready.getReason()).isEqualTo("InternalError");
        assertThat(ready.getMessage()).startsWith("LargeObjectException").contains("(attempt 1, next in 2s)");
        assertThat(GitFixture.condition(patched, GitSync.STALLED)).isNull();

        ErrorStatusUpdateControl<GitSource> second = reconciler.updateErrorStatus(patched, null,
                answered(503, "etcdserver: leader changed"));
        assertThat(second.getScheduleDelay()).contains(4_000L);
        assertThat(second.getResource().orElseThrow().getStatus().getFailures()).isEqualTo(2);
        assertThat(GitFixture.condition(patched, GitSync.READY).getReason()).isEqualTo(GitSourceException.TRANSIENT_API_ERROR);
        assertThat(GitFixture.condition(patched, GitSync.READY).getMessage()).contains("etcdserver: leader changed");

        patched.getStatus().setFailures(40);
        assertThat(reconciler.updateErrorStatus(patched, null, new IllegalStateException("still"))
                .getScheduleDelay()).contains(Duration.ofMinutes(5).toMillis());
    }

    private static GitSource source(String interval) {
        GitSource source = new GitSource();
        source.getMetadata().setName("apps");
        source.getMetadata().setNamespace("team");
        source.getMetadata().setGeneration(1L);
        source.setSpec(new GitSourceSpec());
        source.getSpec().setUrl("https://git.example.com/team/deploy.git");
        source.getSpec().setInterval(interval);
        return source;
    }
}
