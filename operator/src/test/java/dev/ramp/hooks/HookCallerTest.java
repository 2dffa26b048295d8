package dev.ramp.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ramp.api.SecretKeyRef;
import dev.ramp.api.WebhookReasons;
import dev.ramp.api.WebhookSpec;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.Redaction;
import dev.ramp.testing.HookServer;
import dev.ramp.testing.HostileServer;
import dev.ramp.testing.LoopbackEgress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hook's timeout is bounded and covers its whole answer, only a prefix of its answer is read,
 * what its status means, and its URL shown redacted, or not at all when a Secret holds it.
 */
class HookCallerTest {

    private final HostileServer peer = hostile();
    private final HookCaller caller = new HookCaller(null, LoopbackEgress.policy());

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

    private HookCaller.HookAnswer call(WebhookSpec hook) {
        return caller.call("team-a", hook, "spec.analysis.webhooks[0]", "{}");
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
        HookCaller.HookAnswer answer = new HookCaller().call("team-a", hook, "spec.analysis.webhooks[3]", "{}");
        assertThat(answer.ok()).isFalse();
        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.reason()).isEqualTo("EgressDenied");
        assertThat(answer.message()).isEqualTo("webhook imds (rollout, http://169.254.169.254/latest/meta-data/) not called:"
                + " spec.analysis.webhooks[3].url: address 169.254.169.254 (link-local) lies in 169.254.0.0/16,"
                + " denied by the operator's egress policy (ramp.egress.deny-cidrs)");
    }

    /** The defaults, the cluster's service range given, and loopback allowed to team-a only. */
    private static final EgressPolicy TEAM_A_LOOPBACK = EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY,
            EgressPolicy.DEFAULT_DENY_HOSTS, List.of("10.96.0.0/12"), List.of("team-a=127.0.0.1/32"));

    @ParameterizedTest
    @CsvSource({
        "'', 'address 127.0.0.1 is loopback, which tenant URLs may not reach unless the operator allows it for namespace team-b'",
        "http://169.254.169.254/latest/meta-data/, 'address 169.254.169.254 (link-local) lies in 169.254.0.0/16'",
        "http://10.96.0.10:8080/actuator/shutdown, 'address 10.96.0.10 is in the cluster''s pod or service range 10.96.0.0/12'"})
    void byDefaultATenantsHookIsNotCalledAtLoopbackLinkLocalOrClusterAddresses(String url, String why) throws Exception {
        try (HookServer receiver = new HookServer()) {
            WebhookSpec hook = new WebhookSpec();
            hook.setName("inside");
            hook.setUrl(url.isEmpty() ? receiver.url("/shutdown") : url);

            HookCaller.HookAnswer answer = new HookCaller(null, TEAM_A_LOOPBACK).call("team-b", hook, "spec.analysis.webhooks[2]", "{}");

            assertThat(answer.reason()).isEqualTo("EgressDenied");
            assertThat(answer.inconclusive()).isTrue();
            assertThat(answer.message()).startsWith("webhook inside (rollout, ").contains(") not called: spec.analysis.webhooks[2].url: " + why);
            assertThat(receiver.calls("/shutdown")).isEmpty();
        }
    }

    @Test
    void theInClusterAllowListLetsOnlyItsNamespacesHooksThrough() throws Exception {
        try (HookServer receiver = new HookServer()) {
            WebhookSpec hook = new WebhookSpec();
            hook.setName("own");
            hook.setUrl(receiver.url("/own"));
            HookCaller caller = new HookCaller(null, TEAM_A_LOOPBACK);

            assertThat(caller.call("team-a", hook, "spec.analysis.webhooks[0]", "{}").status()).isEqualTo(200);
            assertThat(caller.call("team-b", hook, "spec.analysis.webhooks[0]", "{}").reason()).isEqualTo("EgressDenied");
            assertThat(receiver.calls("/own")).hasSize(1);
        }
    }

    @Test
    void aHookThatTricklesItsBodyTimesOutAtItsDeadlineAndIsLetGo() {
        WebhookSpec hook = hook("trickle", "/trickle/200", "1s");

        long start = System.nanoTime();
        HookCaller.HookAnswer answer = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> call(hook));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(answer.message()).isEqualTo("webhook trickle (pre-rollout, " + peer.url("/trickle/200")
                + ") timed out after 1000ms");
        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.reason()).isEqualTo(WebhookReasons.HOOK_UNREACHABLE);
        // The headers came at once; without a deadline on the body the call would last forever.
        assertThat(took).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
    }

    @Test
    void onlyAPrefixOfAHugeAnswerIsReadAndShownCut() {
        WebhookSpec hook = hook("huge", "/huge/500", "5s");

        HookCaller.HookAnswer answer = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> call(hook));

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.reason()).isEqualTo(WebhookReasons.HOOK_FAILED);
        assertThat(answer.response()).isEqualTo("a".repeat(Redaction.MAX_RESPONSE) + "…");
        // The peer could write only what the sockets' buffers hold beyond the prefix, not its endless body.
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
        assertThat(peer.bodyBytes()).isLessThan(16L * 1024 * 1024);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429})
    void aHookAskingToBeAskedLaterGivesNoVerdict(int status) {
        HookCaller.HookAnswer answer = call(hook("busy", "/status/" + status, "2s"));

        assertThat(answer.message()).endsWith("answered " + status);
        assertThat(answer.response()).isEqualTo("status " + status);
        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.reason()).isEqualTo(WebhookReasons.HOOK_BUSY);
    }

    @ParameterizedTest
    @ValueSource(ints = {502, 503, 504})
    void aGatewaySayingTheHookIsDownGivesNoVerdict(int status) {
        HookCaller.HookAnswer answer = call(hook("down", "/status/" + status, "2s"));

        assertThat(answer.inconclusive()).isTrue();
        assertThat(answer.reason()).isEqualTo(WebhookReasons.HOOK_UNREACHABLE);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 412, 500})
    void anyOtherRefusalFailsTheCheck(int status) {
        HookCaller.HookAnswer answer = call(hook("gate", "/status/" + status, "2s"));

        assertThat(answer.ok()).isFalse();
        assertThat(answer.inconclusive()).isFalse();
        assertThat(answer.reason()).isEqualTo(WebhookReasons.HOOK_FAILED);
    }
}
