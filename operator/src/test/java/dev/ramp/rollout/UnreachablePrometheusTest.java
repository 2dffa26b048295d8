package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.Verdict;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prometheus going away mid-release never promotes a canary: the checks fail and it is rolled back. */
class UnreachablePrometheusTest {

    @Test
    void aReleaseWhosePrometheusStaysDownIsRolledBackAsInconclusiveNotPromoted() throws Exception {
        KubernetesClient client = TestCluster.get().client();
        String namespace = TestCluster.get().newNamespace("promdown");
        try (IstioTelemetry telemetry = new IstioTelemetry(client);
                TestPrometheus prometheus = new TestPrometheus(telemetry.target());
                RampOperator operator = new RampOperator(client, prometheus.address()).start();
                CanaryFixture fx = new CanaryFixture(client, namespace).withSample(null, 4)) {
            telemetry.serve(namespace, "podinfo", 100, 20);
            fx.createTarget("podinfo:1.0");
            fx.createRollout(List.of(10, 50), "1s", 2, "5s");
            fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));

            prometheus.stop();
            fx.release("podinfo:2.0");
            Rollout failed = fx.awaitPhase(Phase.Failed, Duration.ofSeconds(60));

            assertThat(failed.getStatus().getMetrics()).allSatisfy(metric -> {
                assertThat(metric.getVerdict()).isEqualTo(Verdict.Inconclusive);
                assertThat(metric.getValue()).isNull();
                assertThat(metric.getMessage()).contains("Prometheus at " + prometheus.address());
            });
            assertThat(failed.getStatus().getFailedChecks()).isZero();
            assertThat(failed.getStatus().getInconclusiveChecks()).isEqualTo(4);
            assertThat(Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow().getReason())
                    .isEqualTo("AnalysisInconclusive");
            assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
            assertThat(fx.canaryWeight()).isZero();
        }
    }
}
