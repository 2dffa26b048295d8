package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.MetricCheck;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The calls a release must get right, against the real kube-apiserver and a real Prometheus:
 * evidence only from the canary's own revision, a fresh canary's missing data never failing it,
 * a monitoring outage holding a release rather than ending it, and only the analysed template
 * ever reaching the primary.
 */
class VerdictsTest {

    private static final Duration RELEASE = Duration.ofSeconds(120);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "verdicts");
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void aBadCanaryIsJudgedOnItsOwnRevisionNotOnTheOldPodsRequestsUnderTheSameName() {
        // The old version's pods keep answering 200s under the workload name the canary shares;
        // mixed in, they would lift the success rate over the bound (100 + 70 of 200 = 85%).
        telemetry.serveRevision(fx.namespace, "podinfo", "latest", 100, 20);
        telemetry.serve(fx.namespace, "podinfo", 70, 20);
        bootstrap(List.of(20, 50), "2s", successRate(80));

        fx.release("podinfo:2.0-bad");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        assertThat(failed.getStatus().getFailedChecks()).isEqualTo(1);
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisFailed");
        assertThat(failed.getStatus().getRollbackCause().getValue()).isEqualTo(70.0);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(0, 20, 0));
    }

    @Test
    void thresholdOnePromotesAGoodReleaseWhoseFreshCanaryHasNoDataYet() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        bootstrap(List.of(20, 50), "1s", CanaryFixture.successRate("2s"));

        fx.release("podinfo:2.0");
        Rollout done = fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertThat(done.getStatus().getFailedChecks()).isZero();
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(0, 20, 50, 0));
    }

    @Test
    void tooFewCanaryRequestsHoldTheStepAndNeverPromote() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        fx.withSample(1_000_000, 4);
        bootstrap(List.of(20, 50), "1s", CanaryFixture.successRate("2s"));

        fx.release("podinfo:2.0");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        // Too few requests: no check passed, none failed, whatever the success rate read.
        assertThat(failed.getStatus().getMetrics().get(0).getVerdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(failed.getStatus().getMetrics()).noneMatch(m -> m.getVerdict() == Verdict.Failed);
        assertThat(failed.getStatus().getFailedChecks()).isZero();
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisInconclusive");
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(0, 20, 0));
    }

    @Test
    void aPrometheusOutageOfThirtySecondsHoldsTheReleaseWhichThenCompletes() throws Exception {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        // At a 5s interval the default limit (10 inconclusive checks, backing off to 5s) outlasts 30s.
        bootstrap(List.of(20, 50), "5s", CanaryFixture.successRate("5s"));

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> Integer.valueOf(20).equals(fx.canaryWeight()));
        prometheus.stop();
        try {
            await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(35))
                    .until(() -> fx.rollout().getStatus().getPhase() == Phase.Progressing);
            Rollout held = fx.rollout();
            assertThat(held.getStatus().getInconclusiveChecks()).isPositive();
            assertThat(held.getStatus().getFailedChecks()).isZero();
        } finally {
            prometheus.start();
        }
        Rollout done = fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertThat(done.getStatus().getFailedChecks()).isZero();
        assertThat(done.getStatus().getGitRevert()).isNull();
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(events("CheckInconclusive")).isNotEmpty();
        assertThat(events("RolledBack")).isEmpty();
    }

    @Test
    void aTemplateChangedWhilePromotingNeverReachesThePrimaryUnanalysed() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        bootstrap(List.of(50), "1s", CanaryFixture.successRate("2s"));
        fx.kubelet.hold("podinfo-primary");

        fx.release("podinfo:2.0");
        fx.awaitPhase(Phase.Promoting, RELEASE);
        await().atMost(Duration.ofSeconds(10)).until(() -> "podinfo:2.0".equals(fx.image("podinfo-primary")));
        fx.release("podinfo:3.0");
        // The canary's pods now run 3.0, which nothing has analysed: they lose their share at once.
        await().atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(0).equals(fx.canaryWeight()));
        // The primary, still rolling out 2.0, keeps the analysed template; 3.0 waits its own release.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> "podinfo:2.0".equals(fx.image("podinfo-primary")));
        fx.kubelet.release("podinfo-primary");
        await().atMost(RELEASE).until(() -> events("ReleaseStarted").size() == 2);
        Rollout done = fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:3.0");
        assertThat(events("Promoted")).hasSize(2);
        assertThat(done.getStatus().getLastPromotedRevision()).isEqualTo(done.getStatus().getLastAppliedRevision());
    }

    /** podinfo 1.0 under a Rollout with threshold 1 and this one metric, initialised, with its weights watched. */
    private void bootstrap(List<Integer> steps, String interval, MetricCheck metric) {
        fx.createTarget("podinfo:1.0");
        fx.createRollout(steps, interval, 1, List.of(metric));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        prometheus.awaitScrapes();
        fx.watchWeights();
    }

    private static MetricCheck successRate(double min) {
        MetricCheck check = CanaryFixture.successRate("2s");
        check.setThresholdRange(new ThresholdRange(min, null));
        return check;
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }
}
