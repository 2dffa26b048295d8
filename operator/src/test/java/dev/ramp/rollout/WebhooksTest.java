package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.WebhookSpec;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.HookServer;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each webhook type against real HTTP receivers on loopback, during real releases. */
class WebhooksTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();

    private CanaryFixture fx;
    private HookServer hooks;

    @BeforeEach
    void namespace() throws Exception {
        fx = CanaryFixture.inNewNamespace(client, "hooks");
        hooks = new HookServer();
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
    }

    @AfterEach
    void cleanUp() {
        fx.close();
        hooks.close();
    }

    private WebhookSpec hook(String name, WebhookSpec.Type type, String timeout) {
        WebhookSpec hook = new WebhookSpec();
        hook.setName(name);
        hook.setType(type);
        hook.setUrl(hooks.url("/" + name));
        hook.setTimeout(timeout);
        hook.setMetadata(Map.of("cmd", "hey -z 1m http://podinfo-canary:9898/"));
        return hook;
    }

    private void bootstrap(List<WebhookSpec> webhooks) {
        bootstrap(webhooks, "1s");
    }

    private void bootstrap(List<WebhookSpec> webhooks, String interval) {
        fx.createTarget("podinfo:1.0");
        fx.createRollout(r -> {
            r.getSpec().getAnalysis().setInterval(interval);
            r.getSpec().getAnalysis().setStepWeights(List.of(20, 40));
            r.getSpec().getAnalysis().setWebhooks(new ArrayList<>(webhooks));
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();
    }

    private String webhooksCondition() {
        return Conditions.find(fx.rollout().getStatus().getConditions(), RolloutConditions.WEBHOOKS)
                .map(c -> c.getReason() + ": " + c.getMessage()).orElse("");
    }

    @Test
    void gatesHoldTheReleaseUntilConfirmedAndEveryHookIsCalledWithThePayload() {
        hooks.answer("/confirm-rollout", 403);
        hooks.answer("/confirm-promotion", 403);
        bootstrap(List.of(hook("confirm-rollout", WebhookSpec.Type.ConfirmRollout, "2s"),
                hook("pre-rollout", WebhookSpec.Type.PreRollout, "2s"),
                hook("load-test", WebhookSpec.Type.Rollout, "2s"),
                hook("confirm-promotion", WebhookSpec.Type.ConfirmPromotion, "2s"),
                hook("post-rollout", WebhookSpec.Type.PostRollout, "2s")));

        fx.release("podinfo:2.0");
        await().atMost(Duration.ofSeconds(20)).until(() -> webhooksCondition().startsWith("WaitingForConfirmation"));
        assertThat(webhooksCondition()).contains("confirm-rollout").contains("answered 403");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> fx.canaryWeight() == 0);
        assertThat(hooks.calls("/pre-rollout")).isEmpty();

        hooks.answer("/confirm-rollout", 200);
        Rollout waiting = fx.awaitPhase(Phase.WaitingPromotion, RELEASE);
        assertThat(waiting.getStatus().getCanaryWeight()).isEqualTo(40);
        await().atMost(Duration.ofSeconds(10)).until(() -> webhooksCondition().contains("confirm-promotion"));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .until(() -> fx.rollout().getStatus().getPhase() == Phase.WaitingPromotion);

        hooks.answer("/confirm-promotion", 200);
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        assertThat(fx.observedWeights()).containsExactly(0, 20, 40, 0);
        assertThat(hooks.calls("/pre-rollout")).hasSize(1);
        assertThat(hooks.calls("/load-test")).hasSizeGreaterThanOrEqualTo(2);
        var payload = hooks.calls("/load-test").get(0).payload();
        assertThat(payload.get("name").asText()).isEqualTo("podinfo");
        assertThat(payload.get("namespace").asText()).isEqualTo(fx.namespace);
        assertThat(payload.get("phase").asText()).isEqualTo("Progressing");
        assertThat(payload.get("type").asText()).isEqualTo("rollout");
        assertThat(payload.get("revision").asText()).isEqualTo(fx.rollout().getStatus().getLastPromotedRevision());
        assertThat(payload.get("metadata").get("cmd").asText()).startsWith("hey -z 1m");
        await().atMost(Duration.ofSeconds(5)).until(() -> hooks.calls("/post-rollout").size() == 1);
        assertThat(hooks.calls("/post-rollout").get(0).payload().get("phase").asText()).isEqualTo("Succeeded");
    }

    @Test
    void aCanaryThatGoesBadWhileWaitingForPromotionIsRolledBackNotPromoted() {
        hooks.answer("/approve", 403);
        bootstrap(List.of(hook("approve", WebhookSpec.Type.ConfirmPromotion, "2s")));

        fx.release("podinfo:2.0");
        fx.awaitPhase(Phase.WaitingPromotion, RELEASE);
        telemetry.serve(fx.namespace, "podinfo", 70, 20);
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);
        hooks.answer("/approve", 200);

        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisFailed");
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> fx.rollout().getStatus().getPhase() == Phase.Failed);
    }

    @Test
    void aRollbackHookAnswering2xxRollsBackAtOnce() {
        hooks.answer("/stop", 404);
        bootstrap(List.of(hook("stop", WebhookSpec.Type.Rollback, "2s")), "3s");

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> Integer.valueOf(20).equals(fx.canaryWeight()));
        hooks.answer("/stop", 200);
        Rollout failed = fx.awaitPhase(Phase.Failed, Duration.ofSeconds(10));

        assertThat(fx.observedWeights()).containsExactly(0, 20, 0);
        var promoted = Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow();
        assertThat(promoted.getReason()).isEqualTo("RollbackRequested");
        assertThat(promoted.getMessage()).contains("webhook stop (rollback, " + hooks.url("/stop") + ") answered 200");
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
    }

    @Test
    void aHookThatTimesOutIsInconclusiveNamingTheTimeoutAndEndsTheReleaseAtTheLimit() {
        hooks.delay("/slow", 3000);
        fx.withSample(null, 3);
        bootstrap(List.of(hook("slow", WebhookSpec.Type.PreRollout, "500ms")));

        fx.release("podinfo:2.0");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);
        assertThat(fx.observedWeights()).containsOnly(0);
        assertThat(failed.getStatus().getFailedChecks()).isZero();
        var promoted = Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow();
        assertThat(promoted.getReason()).isEqualTo("AnalysisInconclusive");
        assertThat(promoted.getMessage()).contains("webhook slow (pre-rollout, " + hooks.url("/slow") + ") timed out after 500ms");
        // One call per check, no retry loop inside a check.
        assertThat(hooks.calls("/slow")).hasSize(3);
    }

    @Test
    void aHookThatSaysNoIsAFailedCheck() {
        hooks.answer("/gate", 412);
        bootstrap(List.of(hook("gate", WebhookSpec.Type.PreRollout, "2s")));

        fx.release("podinfo:2.0");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);
        assertThat(fx.observedWeights()).containsOnly(0);
        assertThat(failed.getStatus().getFailedChecks()).isEqualTo(2);
        var promoted = Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow();
        assertThat(promoted.getReason()).isEqualTo("HookFailed");
        assertThat(promoted.getMessage()).contains("answered 412");
    }

    @Test
    void aBusyHookHoldsTheReleaseWithoutFailingItEvenAtThresholdOne() {
        hooks.answer("/gate", 429);
        fx.createTarget("podinfo:1.0");
        fx.createRollout(r -> {
            r.getSpec().getAnalysis().setInterval("1s");
            r.getSpec().getAnalysis().setThreshold(1);
            r.getSpec().getAnalysis().setStepWeights(List.of(20, 40));
            r.getSpec().getAnalysis().setWebhooks(new ArrayList<>(List.of(hook("gate", WebhookSpec.Type.PreRollout, "2s"))));
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();

        fx.release("podinfo:2.0");
        await().atMost(Duration.ofSeconds(20)).until(() -> webhooksCondition().startsWith("HookBusy"));
        assertThat(webhooksCondition()).contains("webhook gate (pre-rollout, " + hooks.url("/gate") + ") answered 429");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.calls("/gate").size() >= 2);
        Rollout held = fx.rollout();
        assertThat(held.getStatus().getPhase()).isEqualTo(Phase.Progressing);
        assertThat(held.getStatus().getFailedChecks()).isZero();
        assertThat(held.getStatus().getInconclusiveChecks()).isPositive();

        hooks.answer("/gate", 200);
        Rollout succeeded = fx.awaitPhase(Phase.Succeeded, RELEASE);
        assertThat(succeeded.getStatus().getRollbackCause()).isNull();
        assertThat(fx.observedWeights()).containsExactly(0, 20, 40, 0);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
    }

    @Test
    void aLoadTestHookThatSaysNoHoldsItsStepUntilTheReleaseFails() {
        hooks.answer("/load", 500);
        bootstrap(List.of(hook("load", WebhookSpec.Type.Rollout, "2s")));

        fx.release("podinfo:2.0");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        // Asked at each check of the first step, never let past it: the metrics alone did not advance it.
        assertThat(fx.observedWeights()).containsExactly(0, 20, 0);
        assertThat(failed.getStatus().getFailedChecks()).isEqualTo(2);
        assertThat(hooks.calls("/load")).hasSize(2);
        assertThat(Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow().getReason())
                .isEqualTo("HookFailed");
    }

    @Test
    void aHookAtAMetadataAddressIsNotCalledAndTheConditionSaysWhy() {
        fx.withSample(null, 2);
        WebhookSpec metadata = hook("imds", WebhookSpec.Type.PreRollout, "2s");
        metadata.setUrl("http://169.254.169.254/latest/meta-data/iam/security-credentials/");
        bootstrap(List.of(metadata));

        fx.release("podinfo:2.0");
        await().atMost(Duration.ofSeconds(20)).until(() -> webhooksCondition().startsWith("EgressDenied"));
        assertThat(webhooksCondition()).contains("webhook imds (pre-rollout, http://169.254.169.254/latest/meta-data/")
                .contains("not called: spec.analysis.webhooks[0].url: address 169.254.169.254 (link-local) lies in"
                        + " 169.254.0.0/16, denied by the operator's egress policy");
        assertThat(Conditions.find(fx.rollout().getStatus().getConditions(), RolloutConditions.ANALYSIS).orElseThrow().getReason())
                .isEqualTo("EgressDenied");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);
        assertThat(fx.observedWeights()).containsOnly(0);
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisInconclusive");
    }

    @Test
    void aHookAnswerIsShownInTheConditionButNeverKeptInTheRollbackCause() {
        hooks.answer("/gate", 412);
        bootstrap(List.of(hook("gate", WebhookSpec.Type.PreRollout, "2s")));

        fx.release("podinfo:2.0");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);
        assertThat(webhooksCondition()).contains("answered 412: answer 412 from /gate");
        assertThat(failed.getStatus().getRollbackCause().getMessage()).endsWith("answered 412")
                .doesNotContain("from /gate");
    }

    @Test
    void aHookThatHangsDoesNotHoldUpAnotherRolloutsSteps() {
        hooks.delay("/hang", 25_000);
        bootstrap(List.of(hook("hang", WebhookSpec.Type.Rollout, "25s")));
        CanaryFixture other = CanaryFixture.inNewNamespace(client, "hooks");
        try {
            telemetry.serve(other.namespace, "podinfo", 100, 20);
            other.createTarget("podinfo:1.0");
            other.createRollout(List.of(20, 40), "1s", 2, "2s");
            other.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));

            fx.release("podinfo:2.0");
            await().atMost(RELEASE).until(() -> hooks.calls("/hang").size() == 1);
            other.release("podinfo:2.0");

            // The other release steps through at its own pace while the hook still hangs.
            other.awaitPhase(Phase.Succeeded, Duration.ofSeconds(20));
            assertThat(fx.rollout().getStatus().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(fx.canaryWeight()).isEqualTo(20);
        } finally {
            other.close();
        }
    }
}
