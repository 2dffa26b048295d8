package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.api.ObjectRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a round of checks has as evidence, against a Prometheus stand-in on 127.0.0.1 that
 * answers every query with the same number of requests (or none): the minimum sample is taken
 * with or without metrics, and a round with no evidence never passes.
 */
class AnalysisTest {

    private HttpServer prometheus;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile String answer = "[]";
    /** When set, the answer to the built-in success rate's query (the other queries get {@link #answer}). */
    private volatile String successRate;
    private Analysis analysis;

    @BeforeEach
    void prometheusOnLoopback() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.createContext("/api/v1/query", exchange -> {
            String query = exchange.getRequestURI().getRawQuery().substring("query=".length());
            queries.add(URLDecoder.decode(query, StandardCharsets.UTF_8));
            String decoded = URLDecoder.decode(query, StandardCharsets.UTF_8);
            String result = successRate != null && decoded.startsWith("100 - 100") ? successRate : answer;
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + result + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        prometheus.start();
        String address = "http://127.0.0.1:" + prometheus.getAddress().getPort();
        analysis = new Analysis(new Providers(null, address, dev.ramp.testing.LoopbackEgress.policy()), new AnalysisMetrics(new SimpleMeterRegistry()));
    }

    @AfterEach
    void stop() {
        prometheus.stop(0);
    }

    private void requestsCounted(double requests) {
        answer = vector(requests);
    }

    private static String vector(double value) {
        return "[{\"metric\":{},\"value\":[1700000000,\"" + value + "\"]}]";
    }

    @Test
    void belowTheMinimumSampleASuccessRateThatCouldNoLongerPassFailsTheRoundAtOnce() {
        // 8 requests so far, 1 of them failed: over the 20 of the minimum sample the rate is at most 95, under 99.
        requestsCounted(8);
        successRate = vector(87.5);

        CheckResult result = analysis.run(rollout(List.of(successRate(99))), "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Failed);
        assertThat(result.failedMetric()).hasValueSatisfying(m -> assertThat(m.getMessage()).isEqualTo(
                "87.500 is below the minimum 99: 1 of the first 8 requests failed, so over 20 requests"
                        + " (analysis.minRequests) the rate is at most 95 even if every other one succeeds"));
        assertThat(result.failedOnErrors()).isTrue();
        // Judged on these counters: the next failed check counts only on more errors than these.
        assertThat(result.evidence().getRequests()).isEqualTo(8.0);
        assertThat(queries).anySatisfy(q -> assertThat(q).isEqualTo("sum(istio_requests_total{reporter=\"destination\","
                + "destination_workload_namespace=\"shop\",destination_workload=\"podinfo\","
                + "destination_canonical_revision=\"5d8c7f9b6\",response_code=~\"5.*\"})"));
    }

    @Test
    void belowTheMinimumSampleAFailureTheRestOfTheSampleCouldUndoIsStillInconclusive() {
        // 8 requests, 1 failed, but with min 90 the 20 could still reach 95: wait for them.
        requestsCounted(8);
        successRate = vector(87.5);

        CheckResult result = analysis.run(rollout(List.of(successRate(90))), "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.failures()).contains("canary-requests: 8 requests to revision 5d8c7f9b6 in the last 30s,"
                + " fewer than analysis.minRequests 20");
        assertThat(result.evidence()).isNull();
    }

    private static MetricCheck successRate(double min) {
        MetricCheck check = new MetricCheck();
        check.setName(BuiltinQueries.SUCCESS_RATE);
        check.setThresholdRange(new ThresholdRange(min, null));
        return check;
    }

    @Test
    void withoutMetricsACanaryThatGotNoRequestsIsInconclusiveNeverPassed() {
        CheckResult result = analysis.run(rollout(null), "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo(CheckFailure.CHECK_INCONCLUSIVE);
        assertThat(result.failures()).isEqualTo("canary-requests: 0 requests to revision 5d8c7f9b6 in the last 30s,"
                + " fewer than analysis.minRequests 20");
        assertThat(queries).singleElement().satisfies(q -> assertThat(q).contains("destination_canonical_revision=\"5d8c7f9b6\""));
    }

    @Test
    void withoutAnyAnalysisSpecTheDefaultSampleIsStillTaken() {
        Rollout rollout = rollout(null);
        rollout.getSpec().setAnalysis(null);

        CheckResult result = analysis.run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.failure()).contains(CheckFailure.TOO_FEW_REQUESTS);
    }

    @Test
    void withoutMetricsEnoughRequestsPassOnTheSampleAlone() {
        requestsCounted(25);

        CheckResult result = analysis.run(rollout(null), "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Passed);
        assertThat(result.metrics()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo(Analysis.REQUESTS);
            assertThat(m.getValue()).isEqualTo(25.0);
        });
    }

    @Test
    void noMetricsAndNoSampleIsNoEvidenceAndNamesWhatToSet() {
        Rollout rollout = rollout(null);
        rollout.getSpec().getAnalysis().setMinRequests(0);

        CheckResult result = analysis.run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo("NoEvidence");
        assertThat(result.summary()).contains("spec.analysis has no metrics and minRequests 0")
                .contains("skipAnalysis: true");
        assertThat(queries).isEmpty();
    }

    @Test
    void aTemplateQueryThatDoesNotSelectTheRevisionIsFlaggedNamingTheMetricAndTheTemplate() {
        requestsCounted(25);
        MetricCheck mixed = templated("error-rate", "errors");
        MetricCheck own = templated("latency", "latency");
        TemplateLookup templates = TemplateLookup.of(List.of(
                template("errors", "sum(rate(http_errors_total{namespace=\"{{ namespace }}\"}[{{ interval }}]))"
                        + " # not {{ revision }}"),
                template("latency", "max(latency{ramp_dev_revision=\"{{ revision }}\"})")));

        CheckResult result = analysis.run(rollout(List.of(mixed, own)), "5d8c7f9b6", templates);

        assertThat(result.verdict()).isEqualTo(Verdict.Passed);
        assertThat(result.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("metric error-rate: MetricTemplate shop/errors: its query does not use {{ revision }}"));
    }

    @Test
    void withoutAMeshTheBuiltInsAndTheBuiltInSampleAreInvalidAndNameWhatToUseInstead() {
        Rollout rollout = rollout(List.of(successRate(99)));
        rollout.getSpec().getService().setProvider(RoutingProvider.None);

        CheckResult result = analysis.run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo(CheckFailure.INVALID_METRIC.reason());
        assertThat(result.failures()).contains("canary-requests: the minimum sample (analysis.minRequests) counts the canary's"
                + " requests in the data plane's telemetry, and with spec.service.provider None no mesh or proxy sees the requests")
                .contains("analysis.requestsTemplateRef")
                .contains("request-success-rate: a built-in metric, and with spec.service.provider None")
                .contains("docs/no-mesh.md#metrics");
        assertThat(queries).isEmpty();
    }

    @Test
    void aRequestsTemplateCountsTheMinimumSampleOnTheAppsOwnMetrics() {
        Rollout rollout = rollout(null);
        rollout.getSpec().getService().setProvider(RoutingProvider.None);
        rollout.getSpec().getAnalysis().setRequestsTemplateRef(new ObjectRef("requests", null));
        TemplateLookup templates = TemplateLookup.of(List.of(template("requests",
                "sum(increase(http_requests_total{namespace=\"{{ namespace }}\",ramp_dev_revision=\"{{ revision }}\"}[{{ interval }}]))")));

        requestsCounted(12);
        CheckResult few = analysis.run(rollout, "5d8c7f9b6", templates);
        requestsCounted(25);
        CheckResult enough = analysis.run(rollout, "5d8c7f9b6", templates);

        assertThat(few.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(few.failures()).isEqualTo("canary-requests: MetricTemplate shop/requests: 12 requests to revision 5d8c7f9b6"
                + " in the last 30s, fewer than analysis.minRequests 20");
        assertThat(enough.verdict()).isEqualTo(Verdict.Passed);
        assertThat(queries).contains("sum(increase(http_requests_total{namespace=\"shop\",ramp_dev_revision=\"5d8c7f9b6\"}[30s]))");
    }

    @Test
    void aMissingRequestsTemplateIsNamedByItsField() {
        Rollout rollout = rollout(null);
        rollout.getSpec().getAnalysis().setRequestsTemplateRef(new ObjectRef("requests", null));

        CheckResult result = analysis.run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.reason()).isEqualTo(CheckFailure.TEMPLATE_NOT_FOUND.reason());
        assertThat(result.failures()).isEqualTo("canary-requests: MetricTemplate shop/requests not found: create it, or fix"
                + " spec.analysis.requestsTemplateRef");
    }

    /** A canary Rollout {@code shop/podinfo} on port 80 checking {@code metrics}; JudgedChecksTest builds on it. */
    static Rollout rollout(List<MetricCheck> metrics) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("shop").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("podinfo"));
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setMetrics(metrics);
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        return rollout;
    }

    private static MetricCheck templated(String name, String template) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        check.setTemplateRef(new ObjectRef(template, null));
        check.setThresholdRange(new ThresholdRange(null, 1000.0));
        return check;
    }

    private MetricTemplate template(String name, String query) {
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        MetricProvider provider = new MetricProvider();
        provider.setAddress("http://127.0.0.1:" + prometheus.getAddress().getPort());
        spec.setProvider(provider);
        spec.setQuery(query);
        template.setSpec(spec);
        return template;
    }
}
