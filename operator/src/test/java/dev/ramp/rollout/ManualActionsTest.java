package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Promote now, abort, retry, pause and resume, as a person (or the ramp CLI) asks for them. */
class ManualActionsTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();

    private CanaryFixture fx;

    @BeforeEach
    void release() {
        fx = CanaryFixture.inNewNamespace(client, "manual");
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        fx.createTarget("podinfo:1.0");
        fx.createRollout(List.of(10, 20, 30, 40, 50), "3s", 2, "5s");
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();
        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> Integer.valueOf(10).equals(fx.canaryWeight()));
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    /** As the CLI (or kubectl annotate) does it: a merge patch, which needs no resourceVersion. */
    private void request(String action) {
        patch("{\"metadata\":{\"annotations\":{\"" + RolloutActions.ANNOTATION + "\":\"" + action + "\"}}}");
    }

    private void paused(boolean paused) {
        patch("{\"spec\":{\"paused\":" + paused + "}}");
    }

    private void patch(String json) {
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo")
                .patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    @Test
    void promoteSkipsTheRemainingSteps() {
        request("promote/1");
        Rollout done = fx.awaitPhase(Phase.Succeeded, Duration.ofSeconds(30));

        assertThat(done.getStatus().getLastAction()).isEqualTo("promote/1");
        assertThat(fx.observedWeights()).containsExactly(0, 10, 0);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(fx.events("PromoteRequested")).hasSize(1);
    }

    @Test
    void abortRollsBackNowAndRetryReleasesTheSameRevisionAgain() {
        request("abort/1");
        Rollout failed = fx.awaitPhase(Phase.Failed, Duration.ofSeconds(30));
        assertThat(fx.canaryWeight()).isZero();
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        var promoted = Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow();
        assertThat(promoted.getReason()).isEqualTo("Aborted");
        assertThat(promoted.getMessage()).contains("aborted by request (abort/1)");

        request("retry/2");
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(fx.rollout().getStatus().getLastAction()).isEqualTo("retry/2");
        assertThat(fx.events("ReleaseStarted")).hasSize(2);
    }

    @Test
    void pauseHoldsTheStepUntilResumed() {
        paused(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> Conditions.isTrue(fx.rollout().getStatus().getConditions(),
                ManualActions.PAUSED));
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9))
                .until(() -> Integer.valueOf(10).equals(fx.canaryWeight()) && fx.rollout().getStatus().getPhase() == Phase.Progressing);

        paused(false);
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        assertThat(fx.observedWeights()).containsExactly(0, 10, 20, 30, 40, 50, 0);
        assertThat(fx.events("Paused")).hasSize(1);
        assertThat(fx.events("Resumed")).hasSize(1);
    }

    @Test
    void anActionThatMakesNoSenseNowIsRefusedOnce() {
        request("promote/1");
        fx.awaitPhase(Phase.Succeeded, Duration.ofSeconds(30));

        request("abort/2");
        await().atMost(Duration.ofSeconds(10)).until(() -> "abort/2".equals(fx.rollout().getStatus().getLastAction()));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> fx.rollout().getStatus().getPhase() == Phase.Succeeded);
        assertThat(fx.events("ActionRefused")).singleElement().satisfies(e -> assertThat(e.getMessage())
                .isEqualTo("abort/2 refused: not possible in phase Succeeded (only while a release runs)"));
    }
}
