package dev.ramp.rollout;

import static dev.ramp.rollout.CanaryFixture.templated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.Verdict;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A metric whose MetricTemplate is missing, or whose query the real Prometheus refuses: the user
 * reads the reason and the error in the Analysis condition, gets one Event instead of one per
 * check, and the release is never promoted on the check that cannot run.
 */
class MetricTemplateProblemsTest {

    private static final Duration RELEASE = Duration.ofSeconds(60);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    // The templates' queries need no series: what this Prometheus scrapes does not matter.
    private final TestPrometheus prometheus = env.prometheus();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "template");
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    @Test
    void aMissingTemplateIsReportedOnceAndTheReleaseIsRolledBackNotPromoted() {
        // The templates' metrics do not come from Istio: no request count; three inconclusive checks end it.
        fx.withSample(0, 3);
        fx.createTarget("podinfo:1.0");
        fx.createRollout(List.of(10, 50), "1s", 3, List.of(templated("error-budget", "missing", 1)));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        fx.watchWeights();

        fx.release("podinfo:2.0");
        Condition analysis = await().atMost(RELEASE).until(() -> analysisCondition(fx.rollout()),
                c -> c != null && "TemplateNotFound".equals(c.getReason()));
        assertThat(analysis.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(analysis.getMessage())
                .contains("error-budget: MetricTemplate " + fx.namespace + "/missing not found");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        // No check could run on the missing template: each was inconclusive, so the canary never left
        // its first step, and none counted as failed.
        assertThat(failed.getStatus().getFailedChecks()).isZero();
        assertThat(failed.getStatus().getInconclusiveChecks()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(0, 10, 0));
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        assertThat(failed.getStatus().getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo("error-budget");
            assertThat(m.getVerdict()).isEqualTo(Verdict.Inconclusive);
            assertThat(m.getMessage()).isEqualTo("MetricTemplate " + fx.namespace + "/missing not found: "
                    + "create it, or fix the metric's templateRef");
        });
        assertThat(analysisCondition(failed).getReason()).isEqualTo("TemplateNotFound");
        var promoted = Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow();
        assertThat(promoted.getReason()).isEqualTo("AnalysisInconclusive");
        assertThat(promoted.getMessage())
                .contains("TemplateNotFound: error-budget: MetricTemplate " + fx.namespace + "/missing not found");
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisInconclusive");

        // One Event for three inconclusive checks, and nothing more once the release has failed.
        assertThat(fx.events("TemplateNotFound")).singleElement()
                .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
        assertThat(fx.events("CheckFailed")).isEmpty();
        assertThat(fx.events("CheckInconclusive")).isEmpty();
        assertThat(fx.events("RolledBack")).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("TemplateNotFound"));
        String resourceVersion = fx.rollout().getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> fx.rollout().getStatus().getPhase() == Phase.Failed);
        assertThat(fx.rollout().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
        assertThat(fx.events("TemplateNotFound")).hasSize(1);
    }

    @Test
    void aQueryPrometheusRejectsQuotesPrometheusError() {
        fx.withSample(0, 2);
        fx.createMetricTemplate("broken", prometheus.address(),
                "sum(rate(istio_requests_total{destination_workload=\"{{ target }}\"}[{{ interval }}])");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(List.of(10, 50), "1s", 2, List.of(templated("error-rate", "broken", 1)));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));

        fx.release("podinfo:2.0");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        Condition analysis = analysisCondition(failed);
        assertThat(analysis.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(analysis.getReason()).isEqualTo("QueryRejected");
        assertThat(analysis.getMessage())
                .contains("error-rate: MetricTemplate " + fx.namespace + "/broken: Prometheus rejected the query: bad_data:")
                .contains("parse error");
        MetricStatus metric = failed.getStatus().getMetrics().get(0);
        assertThat(metric.getVerdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(metric.getValue()).isNull();
        assertThat(metric.getMessage()).contains("parse error");
        assertThat(Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow().getMessage())
                .contains("QueryRejected: error-rate:").contains("parse error");
        assertThat(fx.events("QueryRejected")).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("parse error"));
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        assertThat(fx.canaryWeight()).isZero();
    }

    @Test
    void aTemplateInAnotherNamespaceIsRefusedNamingTheReferenceAndNeverRead() {
        CanaryFixture shared = CanaryFixture.inNewNamespace(client, "shared");
        try {
            shared.createMetricTemplate("error-budget", prometheus.address(), "vector(0)");
            fx.withSample(0, 2);
            fx.createTarget("podinfo:1.0");
            var check = templated("error-budget", "error-budget", 1);
            check.getTemplateRef().setNamespace(shared.namespace);
            fx.createRollout(List.of(10, 50), "1s", 2, List.of(check));
            fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));

            fx.release("podinfo:2.0");
            Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

            // The template exists and would pass: the release fails only because it may not use it.
            Condition analysis = analysisCondition(failed);
            assertThat(analysis.getReason()).isEqualTo("CrossNamespaceRefDenied");
            assertThat(analysis.getMessage()).contains("spec.analysis.metrics[error-budget].templateRef names MetricTemplate "
                    + shared.namespace + "/error-budget in another namespace than " + fx.namespace)
                    .contains("ramp.allow-cross-namespace-refs");
            assertThat(failed.getStatus().getMetrics()).singleElement()
                    .satisfies(m -> assertThat(m.getVerdict()).isEqualTo(Verdict.Inconclusive));
            assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisInconclusive");
            assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
            assertThat(fx.events("CrossNamespaceRefDenied")).hasSize(1);
        } finally {
            shared.close();
        }
    }

    private static Condition analysisCondition(Rollout rollout) {
        return rollout == null || rollout.getStatus() == null ? null
                : Conditions.find(rollout.getStatus().getConditions(), RolloutConditions.ANALYSIS).orElse(null);
    }
}
