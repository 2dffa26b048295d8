package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.AnalysisReasons;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.RampEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No evidence, no promotion, against the real kube-apiserver and a real Prometheus: a Rollout
 * with no metrics whose canary gets no requests is judged on the minimum sample alone and never
 * promoted; only an explicit {@code skipAnalysis} promotes without checks.
 */
class EvidenceTest {

    private static final Duration RELEASE = Duration.ofSeconds(120);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "evidence");
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void withoutMetricsACanaryThatGetsNoRequestsIsNeverPromotedAndTheConditionSaysWhy() {
        fx.withSample(null, 3);
        bootstrap(false);

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).untilAsserted(() -> assertThat(condition(fx.rollout(), "Analysis")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo(Conditions.FALSE);
            assertThat(c.getReason()).isEqualTo("CheckInconclusive");
            assertThat(c.getMessage()).contains("canary-requests: 0 requests to revision")
                    .contains("fewer than analysis.minRequests 20");
        }));
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisInconclusive");
        assertThat(condition(failed, "Promoted").getReason()).isEqualTo("AnalysisInconclusive");
        assertThat(failed.getStatus().getLastPromotedRevision()).isNotEqualTo(failed.getStatus().getLastAppliedRevision());
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(0, 20, 0));
    }

    @Test
    void skipAnalysisPromotesTheSameReleaseWithoutChecksAndSaysSo() {
        bootstrap(true);

        fx.release("podinfo:2.0");
        Rollout done = fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertThat(condition(done, "Analysis").getReason()).isEqualTo(AnalysisReasons.SKIPPED);
        assertThat(done.getStatus().getMetrics()).isEmpty();
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(0, 20, 50, 0));
    }

    /** podinfo 1.0 under a Rollout with no metrics (and {@code skipAnalysis} as given), initialised, its weights watched. */
    private void bootstrap(boolean skipAnalysis) {
        fx.createTarget("podinfo:1.0");
        fx.createRollout(rollout -> {
            rollout.getSpec().getAnalysis().setMetrics(null);
            rollout.getSpec().getAnalysis().setStepWeights(List.of(20, 50));
            rollout.getSpec().getAnalysis().setSkipAnalysis(skipAnalysis ? true : null);
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        fx.watchWeights();
    }

    private static Condition condition(Rollout rollout, String type) {
        return Conditions.find(rollout.getStatus().getConditions(), type).orElseThrow();
    }
}
