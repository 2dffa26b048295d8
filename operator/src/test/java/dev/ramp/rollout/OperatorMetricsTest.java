package dev.ramp.rollout;

import static dev.ramp.rollout.CanaryFixture.templated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.CompareSpec;
import dev.ramp.api.Direction;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.ObjectRef;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.testing.MetricsScrape;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestClusterResource;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The operator, started as the Quarkus application, exposes its own metrics at /q/metrics, as the
 * chart's metrics Service offers them to Prometheus: each Rollout's weight and phase, the duration
 * of finished releases, the latency and failures of the metric queries, and the judge's last
 * verdict per compare metric, by namespace and name; a deleted Rollout's series go.
 */
@QuarkusTest
@QuarkusTestResource(value = TestClusterResource.class, restrictToAnnotatedClass = true)
class OperatorMetricsTest {

    private static final Duration RELEASE = Duration.ofSeconds(60);

    private final KubernetesClient client = TestCluster.get().client();

    // On the management interface, whose root is /q: this is /q/metrics on port 9000.
    @TestHTTPResource(value = "/metrics", management = true)
    URI metrics;

    @Test
    void prometheusSeesWeightPhaseReleaseDurationAndQueriesOfEachRollout() throws Exception {
        String healthy = TestCluster.get().newNamespace("metrics");
        String broken = TestCluster.get().newNamespace("metrics");
        // The template's query is a constant: this Prometheus needs nothing to scrape.
        try (TestPrometheus prometheus = new TestPrometheus("127.0.0.1:9");
                CanaryFixture good = new CanaryFixture(client, healthy);
                CanaryFixture bad = new CanaryFixture(client, broken)) {
            good.createMetricTemplate("errors", prometheus.address(), "vector(0)");
            for (CanaryFixture fx : List.of(good, bad)) {
                fx.createTarget("podinfo:1.0");
                // The template does not read Istio's telemetry: no request count. One check that
                // cannot run (the broken template) is enough to end that release.
                fx.withSample(0, 1);
                // One step held for 4s: long enough to see the canary's weight from outside.
                fx.createRollout(List.of(50), "4s", 1, List.of(templated("error-rate", "errors", 1)));
                fx.awaitPhase(Phase.Initialized, RELEASE);
            }
            awaitSample("ramp_rollout_phase", Map.of("namespace", healthy, "name", "podinfo", "phase", "Initialized"), 1);
            awaitSample("ramp_rollout_weight", Map.of("namespace", healthy, "name", "podinfo"), 0);

            good.release("podinfo:2.0");
            bad.release("podinfo:2.0");
            awaitSample("ramp_rollout_weight", Map.of("namespace", healthy, "name", "podinfo"), 50);
            awaitSample("ramp_rollout_phase", Map.of("namespace", healthy, "name", "podinfo", "phase", "Progressing"), 1);
            good.awaitPhase(Phase.Succeeded, RELEASE);
            bad.awaitPhase(Phase.Failed, RELEASE);

            awaitSample("ramp_rollout_phase", Map.of("namespace", healthy, "name", "podinfo", "phase", "Succeeded"), 1);
            awaitSample("ramp_rollout_phase", Map.of("namespace", healthy, "name", "podinfo", "phase", "Progressing"), 0);
            awaitSample("ramp_rollout_weight", Map.of("namespace", healthy, "name", "podinfo"), 0);
            awaitSample("ramp_rollout_duration_seconds_count",
                    Map.of("namespace", healthy, "name", "podinfo", "outcome", "succeeded"), 1);
            awaitSample("ramp_rollout_duration_seconds_count",
                    Map.of("namespace", broken, "name", "podinfo", "outcome", "failed"), 1);
            // The broken release's rollback wrote its route once; the healthy one never rolled back.
            awaitSample("ramp_rollback_route_seconds_count", Map.of("namespace", broken, "name", "podinfo"), 1);
            MetricsScrape scrape = MetricsScrape.of(metrics);
            assertThat(scrape.value("ramp_rollout_duration_seconds_sum",
                    Map.of("namespace", healthy, "name", "podinfo", "outcome", "succeeded")).orElseThrow())
                    .as("the release held its step for 4s").isGreaterThanOrEqualTo(4);

            // The healthy Rollout's query reached Prometheus once; the broken one's never could.
            assertThat(scrape.value("ramp_analysis_query_duration_seconds_count",
                    Map.of("namespace", healthy, "name", "podinfo", "metric", "error-rate"))).hasValue(1);
            assertThat(scrape.value("ramp_analysis_query_duration_seconds_count", Map.of("namespace", broken))).isEmpty();
            assertThat(scrape.value("ramp_analysis_query_failures_total",
                    Map.of("namespace", broken, "name", "podinfo", "metric", "error-rate", "reason", "TemplateNotFound")))
                    .hasValue(1);
            assertThat(scrape.value("ramp_analysis_query_failures_total", Map.of("namespace", healthy))).isEmpty();
            assertThat(scrape.value("ramp_rollback_route_seconds_count", Map.of("namespace", healthy))).isEmpty();
            // Java Operator SDK's own series count the Rollouts together: none is a Rollout's (docs/scale.md, "Memory").
            assertThat(scrape.value("operator_sdk_reconciliations_started_total", Map.of())).isPresent();
            assertThat(scrape.value("operator_sdk_reconciliations_started_total", Map.of("name", "podinfo"))).isEmpty();
            assertThat(scrape.value("operator_sdk_controllers_execution_reconcile_seconds_count", Map.of("namespace", healthy)))
                    .isEmpty();
        }
    }

    @Test
    void prometheusSeesTheJudgesLastVerdictUntilTheRolloutIsDeleted() throws Exception {
        String judged = TestCluster.get().newNamespace("metrics");
        try (TestPrometheus prometheus = new TestPrometheus("127.0.0.1:9");
                CanaryFixture fx = new CanaryFixture(client, judged)) {
            // One constant series per side, read differently for each (as a compare template must):
            // both sides at 1 is a Pass, with a shift of 0 and nothing to test (p = 1).
            fx.createMetricTemplate("latency", prometheus.address(), "label_replace(vector(1), \"side\", \"{{ side }}\", \"\", \"\")");
            fx.createTarget("podinfo:1.0");
            fx.withSample(0, null);
            MetricCheck latency = new MetricCheck();
            latency.setName("latency");
            latency.setTemplateRef(new ObjectRef("latency", null));
            CompareSpec compare = new CompareSpec();
            compare.setDirection(Direction.Increase);
            latency.setCompare(compare);
            fx.createRollout(List.of(50), "2s", 1, List.of(latency));
            JudgeSpec judge = new JudgeSpec();
            judge.setStep("1s");
            judge.setMinPoints(5);
            fx.editRollout(r -> r.getSpec().getAnalysis().setJudge(judge));
            fx.awaitPhase(Phase.Initialized, RELEASE);

            fx.release("podinfo:2.0");
            fx.awaitPhase(Phase.Succeeded, RELEASE);
            Map<String, String> metric = Map.of("namespace", judged, "name", "podinfo", "metric", "latency");
            awaitSample("ramp_judge_classification", with(metric, "classification", "Pass"), 1);
            awaitSample("ramp_judge_classification", with(metric, "classification", "High"), 0);
            awaitSample("ramp_judge_relative_shift", metric, 0);
            awaitSample("ramp_judge_p_value", metric, 1);
            awaitSample("ramp_judge_score", Map.of("namespace", judged, "name", "podinfo"), 100);
            assertThat(MetricsScrape.of(metrics).value("ramp_judge_points", with(metric, "side", "primary")).orElseThrow())
                    .isGreaterThanOrEqualTo(5);

            client.resources(Rollout.class).inNamespace(judged).withName("podinfo").delete();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                MetricsScrape scrape = MetricsScrape.of(metrics);
                assertThat(scrape.value("ramp_judge_classification", metric)).isEmpty();
                assertThat(scrape.value("ramp_judge_score", Map.of("namespace", judged))).isEmpty();
                assertThat(scrape.value("ramp_rollout_weight", Map.of("namespace", judged))).isEmpty();
            });
        }
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> more = new java.util.HashMap<>(labels);
        more.put(key, value);
        return more;
    }

    private void awaitSample(String metric, Map<String, String> labels, double expected) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            MetricsScrape scrape = MetricsScrape.of(metrics);
            assertThat(scrape.value(metric, labels)).as("%s%s in%n%s", metric, labels,
                    String.join("\n", scrape.lines(metric))).isEqualTo(OptionalDouble.of(expected));
        });
    }
}
