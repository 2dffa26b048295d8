package dev.ramp.git;

import static dev.ramp.git.GitFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitSource;
import dev.ramp.kube.ApiErrors;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.TestCluster;
import dev.ramp.work.OutsideWork;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failures of the moment against the real kube-apiserver: a commit the API server cannot take
 * right now (an admission webhook nobody answers, so HTTP 500) is retried with backoff and
 * applied once it can, never refused; real refusals stay the user's to fix. The reconciler is
 * called as JOSDK would call it, one try per step, so no test waits for a timer.
 */
class SyncRetryTest {

    private static KubernetesClient client;
    private static GitHttpServer server;
    private static final OutsideWork work = new OutsideWork(2, 2, 4);

    private GitFixture fx;
    private GitSourceReconciler reconciler;
    private String webhook;

    @BeforeAll
    static void start() throws Exception {
        // Without the client's own retries of 5xx answers, which would hold each try for seconds.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.fromKubeconfig(
                TestCluster.get().kubeconfig())).withRequestRetryBackoffLimit(0).build()).build();
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
    }

    @AfterAll
    static void stop() {
        work.close();
        server.close();
        client.close();
    }

    @BeforeEach
    void repository() throws Exception {
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("git-retry"));
        Conditions conditions = new Conditions(Clock.systemUTC());
        GitMirror mirror = new GitMirror(Files.createTempDirectory("ramp-git-cache-"), GitMirror.DEFAULT_DEPTH,
                dev.ramp.testing.LoopbackEgress.policy());
        reconciler = new GitSourceReconciler(client, new SyncRuns(client, new GitSync(mirror, SyncIdentities.withoutDefault(client),
                new ManifestReader(), conditions, new EventRecorder(client, Clock.systemUTC())), work, Clock.systemUTC()),
                new GitSourceConditions(conditions), new SyncRequests());
    }

    @AfterEach
    void cleanUp() {
        if (webhook != null) {
            client.admissionRegistration().v1().validatingWebhookConfigurations().withName(webhook).delete();
        }
        fx.close();
    }

    /**
     * One sync as JOSDK runs it: reconciles (starting the sync off this thread) until a reconcile
     * no longer holds for it, then writes the status that one returns. Returns when it asks to run again.
     */
    private Duration reconcile() {
        AtomicReference<UpdateControl<GitSource>> done = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            UpdateControl<GitSource> control = reconciler.reconcile(fx.source(), null);
            boolean holding = control.getResource().isEmpty()
                    && control.getScheduleDelay().orElseThrow() == SyncRuns.LOOK_AGAIN.toMillis();
            if (!holding) {
                done.set(control);
            }
            return !holding;
        });
        UpdateControl<GitSource> control = done.get();
        control.getResource().ifPresent(source -> client.resource(source).patchStatus());
        return Duration.ofMillis(control.getScheduleDelay().orElseThrow());
    }

    @Test
    void aCommitTheApiServerCannotTakeNowIsRetriedThenAppliedNeverRefused() throws Exception {
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello"));
        String good = fx.dev.commitAndPush("good");
        fx.createSource(".", "1m");
        assertThat(reconcile()).hasMinutes(1);
        assertThat(fx.source().getStatus().getLastAppliedCommit()).isEqualTo(good);

        failConfigMapWrites();
        fx.dev.write("config.yaml", GitFixture.configMap("greeting", "hello-again"));
        String next = fx.dev.commitAndPush("next");

        assertThat(reconcile()).hasSeconds(2);
        GitSource retrying = fx.source();
        assertThat(retrying.getStatus().getFailures()).isEqualTo(1);
        assertThat(condition(retrying, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(retrying, "Ready").getReason()).isEqualTo(GitSourceException.TRANSIENT_API_ERROR);
        assertThat(condition(retrying, "Ready").getMessage())
                .contains("commit " + next.substring(0, 12) + " not applied yet")
                .contains("ConfigMap " + fx.namespace + "/greeting")
                .contains("the API server answered 500").contains("refuse.ramp.test")
                .endsWith("(attempt 1, next in 2s)");
        assertThat(Conditions.isTrue(retrying.getStatus().getConditions(), "Stalled")).isFalse();
        assertThat(retrying.getStatus().getLastAttemptedCommit()).as("no verdict on the commit").isEqualTo(good);
        assertThat(retrying.getStatus().getLastAppliedCommit()).isEqualTo(good);

        assertThat(reconcile()).hasSeconds(4);
        assertThat(fx.source().getStatus().getFailures()).isEqualTo(2);

        client.admissionRegistration().v1().validatingWebhookConfigurations().withName(webhook).delete();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
            reconcile();
            return next.equals(fx.source().getStatus().getLastAppliedCommit());
        });
        GitSource synced = fx.source();
        assertThat(synced.getStatus().getFailures()).isZero();
        assertThat(condition(synced, "Ready").getStatus()).isEqualTo("True");
        assertThat(synced.getStatus().getLastAttemptedCommit()).isEqualTo(next);
        assertThat(client.configMaps().inNamespace(fx.namespace).withName("greeting").get().getData())
                .containsEntry("greeting", "hello-again");
        assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                .noneMatch(e -> "Warning".equals(e.getType()));
    }

    @Test
    void anOddBranchNameIsReportedNotThrown() {
        GitSource source = fx.createSource(".", "1m");
        source.getSpec().setBranch("release..1");
        client.resource(source).update();

        assertThat(reconcile()).hasMinutes(1);
        GitSource stalled = fx.source();
        assertThat(condition(stalled, "Ready").getReason()).isEqualTo("InvalidBranch");
        assertThat(condition(stalled, "Ready").getMessage()).contains("release..1");
        assertThat(Conditions.isTrue(stalled.getStatus().getConditions(), "Stalled")).isTrue();
    }

    @Test
    void realRefusalsAreTheUsersAndRealFailuresOfTheMomentAreNot() throws Exception {
        ManifestApplier applier = new ManifestApplier(client, new ApplyIdentity(client, fx.namespace, null), "test.apps");
        List<Manifest> invalid = ManifestReader.parse("bad.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: Not_A_Name}
                """.getBytes());
        List<DesiredObject> desired = applier.prepare(invalid, fx.namespace, "0".repeat(40));
        assertThatThrownBy(() -> applier.validate(desired)).isInstanceOfSatisfying(GitSourceException.class, e -> {
            assertThat(e.userFixable()).isTrue();
            assertThat(e.reason()).isEqualTo("ValidationFailed");
            assertThat(e.getMessage()).contains("bad.yaml, document 1").contains("Not_A_Name");
        });

        ConfigMap existing = new ConfigMapBuilder().withNewMetadata().withName("taken").withNamespace(fx.namespace)
                .endMetadata().build();
        client.resource(existing).create();
        assertThatThrownBy(() -> client.resource(existing).create()).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(ApiErrors.isTransient(e)).as("409 " + e.getMessage()).isTrue());
        assertThatThrownBy(() -> client.configMaps().inNamespace("no-such-namespace").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("a").endMetadata().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class,
                        e -> assertThat(ApiErrors.isTransient(e)).as("404 " + e.getMessage()).isFalse());

        Config nowhere = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1")
                .withRequestRetryBackoffLimit(0).withConnectionTimeout(1_000).build();
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(nowhere).build()) {
            List<Manifest> fine = ManifestReader.parse("ok.yaml", GitFixture.configMap("ok", "fine").getBytes());
            assertThatThrownBy(() -> new ManifestApplier(unreachable, new ApplyIdentity(unreachable, fx.namespace, null),
                    "test.apps").prepare(fine, fx.namespace, "0".repeat(40)))
                    .isInstanceOfSatisfying(GitSourceException.class, e -> {
                        assertThat(e.userFixable()).isFalse();
                        assertThat(e.reason()).isEqualTo(GitSourceException.TRANSIENT_API_ERROR);
                        assertThat(e.getMessage()).contains("no answer from the API server");
                    });
        }
    }

    /**
     * Makes the API server fail every ConfigMap write in the fixture's namespace, dry runs
     * included, the way a webhook that is down does: HTTP 500, "failed calling webhook".
     */
    private void failConfigMapWrites() {
        webhook = "refuse-" + fx.namespace;
        client.resource(new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName(webhook).endMetadata()
                .addNewWebhook().withName("refuse.ramp.test").withAdmissionReviewVersions("v1").withSideEffects("None")
                .withFailurePolicy("Fail").withTimeoutSeconds(1)
                .withNewClientConfig().withUrl("https://127.0.0.1:1/refuse").endClientConfig()
                .withNewNamespaceSelector().addToMatchLabels("kubernetes.io/metadata.name", fx.namespace)
                .endNamespaceSelector()
                .addNewRule().withApiGroups("").withApiVersions("v1").withOperations("CREATE", "UPDATE")
                .withResources("configmaps").endRule()
                .endWebhook().build()).create();
        ConfigMap probe = new ConfigMapBuilder().withNewMetadata().withName("probe").withNamespace(fx.namespace)
                .endMetadata().build();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                client.resource(probe).dryRun().create();
                return false;
            } catch (KubernetesClientException e) {
                return e.getCode() == 500;
            }
        });
    }
}
