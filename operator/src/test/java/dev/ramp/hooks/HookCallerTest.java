package dev.ramp.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ramp.api.SecretKeyRef;
import dev.ramp.api.WebhookSpec;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.Redaction;
import dev.ramp.testing.HostileServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hook's timeout is bounded and covers its whole answer, only a prefix of its answer is read,
 * what its status means, and its URL shown redacted, or not at all when a Secret holds it.
 */
class HookCallerTest {

    private final HostileServer peer = hostile();
    private final HookCaller caller = new HookCaller(null, EgressPolicy.of(List.of(), List.of(), List.of()));

    private static HostileServer hostile() {
        try {
            return new HostileServer();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        peer.close();
    }

    private WebhookSpec hook(String name, String path, String timeout) {
        WebhookSpec hook = new WebhookSpec();
        hook.setName(name);
        hook.setType(WebhookSpec.Type.PreRollout);
        hook.setUrl(peer.url(path));
        hook.setTimeout(timeout);
        return hook;
    }

    @Test
    void aTimeoutAboveTheMaximumIsClamped() {
        WebhookSpec hook = new WebhookSpec();
        hook.setTimeout("10m");
        assertThat(HookCaller.timeout(hook)).isEqualTo(Duration.ofSeconds(60));
        hook.setTimeout("5s");
        assertThat(HookCaller.timeout(hook)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aUrlIsShownRedactedAndASecretUrlNotAtAll() {
        WebhookSpec hook = new WebhookSpec();
        hook.setUrl("https://hooks.example.com/notify?token=abc");
        assertThat(HookCaller.shown(hook)).isEqualTo("https://hooks.example.com/notify?token=***");
        hook.setUrl(null);
        hook.setUrlSecretRef(new SecretKeyRef("chat", "url"));
        assertThat(HookCaller.shown(hook)).isEqualTo("URL in Secret chat key url");
    }

    @Test
    void aHookAtADeniedAddressIsNotCalled() {
        WebhookSpec hook = new WebhookSpec();
        hook.setName("imds");
        hook.setUrl("http://169.254.169.254/latest/meta-data/");
        HookCaller.HookAnswer answer = new HookCaller().call("team-a", hook, "{}");
        assertThat(answer.ok()).isFalse();
        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.message()).contains("not called").contains("169.254.0.0/16");
    }

    @Test
    void aHookThatTricklesItsBodyTimesOutAtItsDeadlineAndIsLetGo() {
        WebhookSpec hook = hook("trickle", "/trickle/200", "1s");

        long start = System.nanoTime();
        HookCaller.HookAnswer answer = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> caller.call("team-a", hook, "{}"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(answer.message()).isEqualTo("webhook trickle (pre-rollout, " + peer.url("/trickle/200")
                + ") timed out after 1000ms");
        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.reason()).isEqualTo(HookCaller.HookAnswer.UNREACHABLE);
        // The headers came at once; without a deadline on the body the call would last forever.
        assertThat(took).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
    }

    @Test
    void onlyAPrefixOfAHugeAnswerIsReadAndShownCut() {
        WebhookSpec hook = hook("huge", "/huge/500", "5s");

        HookCaller.HookAnswer answer = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> caller.call("team-a", hook, "{}"));

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.reason()).isEqualTo(HookCaller.HookAnswer.FAILED);
        assertThat(answer.response()).isEqualTo("a".repeat(Redaction.MAX_RESPONSE) + "…");
        // The peer could write only what the sockets' buffers hold beyond the prefix, not its endless body.
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
        assertThat(peer.bodyBytes()).isLessThan(16L * 1024 * 1024);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429})
    void aHookAskingToBeAskedLaterGivesNoVerdict(int status) {
        HookCaller.HookAnswer answer = caller.call("team-a", hook("busy", "/status/" + status, "2s"), "{}");

        assertThat(answer.message()).endsWith("answered " + status);
        assertThat(answer.response()).isEqualTo("status " + status);
        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.reason()).isEqualTo(HookCaller.HookAnswer.BUSY);
    }

    @ParameterizedTest
    @ValueSource(ints = {502, 503, 504})
    void aGatewaySayingTheHookIsDownGivesNoVerdict(int status) {
        HookCaller.HookAnswer answer = caller.call("team-a", hook("down", "/status/" + status, "2s"), "{}");

        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.reason()).isEqualTo(HookCaller.HookAnswer.UNREACHABLE);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 412, 500})
    void anyOtherRefusalFailsTheCheck(int status) {
        HookCaller.HookAnswer answer = caller.call("team-a", hook("gate", "/status/" + status, "2s"), "{}");

        assertThat(answer.ok()).isFalse();
        assertThat(answer.inconclusive()).isFalse();
        assertThat(answer.reason()).isEqualTo(HookCaller.HookAnswer.FAILED);
    }
}
