package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.Classification;
import dev.ramp.api.CompareSpec;
import dev.ramp.api.Direction;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.api.ObjectRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import dev.ramp.testing.LoopbackEgress;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The judge's verdicts in a round of checks, at a fixed clock, against a Prometheus stand-in on
 * 127.0.0.1 that answers the minimum sample with enough requests and each side's range query
 * with the points a test sets: too few points is Inconclusive (never Passed), a critical metric
 * High fails the round, a marginal score holds it, and compare and threshold metrics mix.
 */
class JudgedChecksTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final String CANARY = "5d8c7f9b6";
    private static final String PROMOTED = "7f6d5c4b3";

    private HttpServer prometheus;
    private final List<Map<String, String>> ranges = new CopyOnWriteArrayList<>();
    /** Each side's points by metric: the key is the metric's query marker and the side's workload. */
    private final Map<String, double[]> points = new HashMap<>();
    private volatile double successRate = 100;
    private Analysis analysis;

    @BeforeEach
    void prometheusOnLoopback() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.createContext("/api/v1/query", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring("query=".length()), StandardCharsets.UTF_8);
            double value = query.startsWith("100 - 100") ? successRate : 25;
            respond(exchange, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":"
                    + "[1700000000,\"" + value + "\"]}]}}");
        });
        prometheus.createContext("/api/v1/query_range", exchange -> {
            Map<String, String> params = params(exchange.getRequestURI().getRawQuery());
            ranges.add(params);
            String query = params.get("query");
            String side = query.contains("podinfo-primary") || query.contains(PROMOTED) ? "primary" : "canary";
            String metric = query.contains("duration") ? "duration" : query.contains("istio_requests_total") ? "success" : "template";
            double[] values = points.getOrDefault(metric + "/" + side, new double[0]);
            long start = (long) Double.parseDouble(params.get("start"));
            String series = values.length == 0 ? "" : "{\"metric\":{},\"values\":[" + IntStream.range(0, values.length)
                    .mapToObj(i -> "[" + (start + i) + ",\"" + values[i] + "\"]").collect(Collectors.joining(",")) + "]}";
            respond(exchange, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[" + series + "]}}");
        });
        prometheus.start();
        analysis = new Analysis(new Providers(null, address(), LoopbackEgress.policy()), new AnalysisMetrics(new SimpleMeterRegistry()),
                dev.ramp.kube.References.SAME_NAMESPACE, GatewayApiImplementation.traefik(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        prometheus.stop(0);
    }

    @Test
    void tooFewPointsOnASideIsInconclusiveNeverPassedEvenWhenTheyLookAlike() {
        points.put("duration/canary", noisy(160, 6));
        points.put("duration/primary", noisy(160, 30));

        CheckResult result = analysis.run(rollout(List.of(duration(true))), CANARY, TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.failure()).contains(CheckFailure.TOO_FEW_POINTS);
        assertThat(metric(result, "request-duration").getComparison()).satisfies(c -> {
            assertThat(c.getClassification()).isEqualTo(Classification.NoData);
            assertThat(c.getCanaryPoints()).isEqualTo(6);
            assertThat(c.getComparisonPoints()).isEqualTo(30);
        });
        assertThat(result.failures()).contains("judge-score: score none (pass 95, marginal 75): Inconclusive, too few points;"
                + " request-duration (critical): 6 canary and 30 primary points, too few to compare: NoData");
        assertThat(result.comparisons()).isEmpty();
    }

    @Test
    void tooFewPointsWhileTheReleaseIsYoungerThanMinPointsStepsAreTheWindowFillingNotAFault() {
        points.put("duration/canary", noisy(160, 4));
        points.put("duration/primary", noisy(160, 4));
        Rollout young = rollout(List.of(duration(true)));
        young.getSpec().getAnalysis().setInterval("30s");
        // 10 points (the default minPoints) of 30 s (the step defaults to the interval) need 5
        // minutes; the release began 2 minutes ago.
        young.getStatus().setReleaseStartTime("2026-12-03T11:58:00Z");

        CheckResult filling = analysis.run(young, CANARY, TemplateLookup.of(List.of()));

        assertThat(filling.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(filling.failure()).contains(CheckFailure.WINDOW_FILLING);

        // Exactly ten steps old, the first step's point holds no sample of the new revision yet:
        // still filling, for one step more.
        Rollout tenSteps = rollout(List.of(duration(true)));
        tenSteps.getSpec().getAnalysis().setInterval("30s");
        tenSteps.getStatus().setReleaseStartTime("2026-12-03T11:55:00Z");
        assertThat(analysis.run(tenSteps, CANARY, TemplateLookup.of(List.of())).failure()).contains(CheckFailure.WINDOW_FILLING);

        // The same few points once the window could hold ten: something is missing, and it counts.
        Rollout older = rollout(List.of(duration(true)));
        older.getSpec().getAnalysis().setInterval("30s");
        older.getStatus().setReleaseStartTime("2026-12-03T11:50:00Z");
        assertThat(analysis.run(older, CANARY, TemplateLookup.of(List.of())).failure()).contains(CheckFailure.TOO_FEW_POINTS);
    }

    @Test
    void aCriticalMetricHighFailsTheRoundAndNamesTheEffectAndItsConfidence() {
        points.put("duration/canary", noisy(240, 30));
        points.put("duration/primary", noisy(160, 30));
        points.put("success/canary", noisy(99.9, 30));
        points.put("success/primary", noisy(99.9, 30));

        CheckResult result = analysis.run(rollout(List.of(duration(true), successRate())), CANARY, TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Failed);
        assertThat(result.failure()).contains(CheckFailure.JUDGED_WORSE);
        assertThat(result.reason()).isEqualTo(CheckFailure.CHECK_FAILED);
        MetricComparison c = metric(result, "request-duration").getComparison();
        assertThat(c.getClassification()).isEqualTo(Classification.High);
        assertThat(c.getCanaryMedian()).isCloseTo(240, org.assertj.core.data.Offset.offset(5.0));
        assertThat(c.getComparisonMedian()).isCloseTo(160, org.assertj.core.data.Offset.offset(5.0));
        assertThat(c.getRelativeShift()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.05));
        assertThat(c.getLower()).isPositive();
        assertThat(c.getPValue()).isLessThan(0.02);
        assertThat(metric(result, "request-success-rate").getComparison().getClassification()).isEqualTo(Classification.Pass);
        assertThat(result.failures()).startsWith("judge-score: score 50 (pass 95, marginal 75): Failed, a critical metric failed;"
                + " request-duration (critical): canary median ").contains(" ms vs primary ").contains("(98% CI +")
                .endsWith("), High");
        assertThat(result.comparisons()).extracting(MetricStatus::getName).containsExactly("request-duration");
    }

    @Test
    void aMarginalScoreHoldsTheStepAsInconclusive() {
        points.put("duration/canary", noisy(240, 30));
        points.put("duration/primary", noisy(160, 30));
        points.put("success/canary", noisy(99.9, 30));
        points.put("success/primary", noisy(99.9, 30));
        MetricCheck heavy = successRate();
        heavy.getCompare().setWeight(4.0);

        CheckResult result = analysis.run(rollout(List.of(duration(false), heavy)), CANARY, TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.failure()).contains(CheckFailure.MARGINAL_SCORE);
        assertThat(metric(result, ComparedChecks.SCORE).getValue()).isEqualTo(80.0);
        assertThat(result.comparisons()).isEmpty();
    }

    @Test
    void aGoodCanaryPassesOnTheScoreAndStatusShowsBothSides() {
        points.put("duration/canary", noisy(161, 30));
        points.put("duration/primary", noisy(160, 30));

        CheckResult result = analysis.run(rollout(List.of(duration(true))), CANARY, TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Passed);
        assertThat(metric(result, ComparedChecks.SCORE).getValue()).isEqualTo(100.0);
        assertThat(metric(result, "request-duration").getVerdict()).isEqualTo(Verdict.Passed);
        assertThat(metric(result, "request-duration").getComparison().getComparedWith()).isEqualTo("primary");
    }

    @Test
    void compareAndThresholdMetricsMixInOneRound() {
        points.put("duration/canary", noisy(161, 30));
        points.put("duration/primary", noisy(160, 30));
        MetricCheck threshold = new MetricCheck();
        threshold.setName("request-success-rate");
        threshold.setThresholdRange(new ThresholdRange(99.0, null));
        Rollout rollout = rollout(List.of(duration(true), threshold));

        successRate = 100;
        CheckResult bothPass = analysis.run(rollout, CANARY, TemplateLookup.of(List.of()));
        successRate = 80;
        CheckResult thresholdFails = analysis.run(rollout, CANARY, TemplateLookup.of(List.of()));
        successRate = 100;
        points.put("duration/canary", noisy(240, 30));
        CheckResult judgeFails = analysis.run(rollout, CANARY, TemplateLookup.of(List.of()));

        assertThat(bothPass.verdict()).isEqualTo(Verdict.Passed);
        assertThat(bothPass.metrics()).extracting(MetricStatus::getName)
                .containsExactly(Analysis.REQUESTS, "request-success-rate", "request-duration", ComparedChecks.SCORE);
        assertThat(thresholdFails.verdict()).isEqualTo(Verdict.Failed);
        assertThat(thresholdFails.failedMetric()).hasValueSatisfying(m -> assertThat(m.getName()).isEqualTo("request-success-rate"));
        assertThat(thresholdFails.comparisons()).isEmpty();
        assertThat(judgeFails.verdict()).isEqualTo(Verdict.Failed);
        assertThat(judgeFails.failedMetric()).isEmpty();
        assertThat(judgeFails.comparisons()).extracting(MetricStatus::getName).containsExactly("request-duration");
    }

    @Test
    void eachSideIsARangeQueryAtTheStepOverTheWindowStretchedToMinPointsButNotBeforeTheRelease() {
        Rollout rollout = rollout(List.of(duration(true)));
        rollout.getSpec().getAnalysis().setInterval("30s");
        JudgeSpec judge = new JudgeSpec();
        judge.setStep("15s");
        rollout.getSpec().getAnalysis().setJudge(judge);

        analysis.run(rollout, CANARY, TemplateLookup.of(List.of()));
        rollout.getStatus().setReleaseStartTime("2026-12-03T11:58:00Z");
        analysis.run(rollout, CANARY, TemplateLookup.of(List.of()));

        // 10 points (minPoints) of 15s: the 30s window is stretched to 150s; the release began 2m ago.
        assertThat(ranges).extracting(r -> r.get("start") + ".." + r.get("end") + "/" + r.get("step")).containsExactly(
                "1796299050.000..1796299200.000/15.000", "1796299050.000..1796299200.000/15.000",
                "1796299080.000..1796299200.000/15.000", "1796299080.000..1796299200.000/15.000");
        assertThat(ranges.get(0).get("query")).contains("destination_workload=\"podinfo\"")
                .contains("destination_canonical_revision=\"" + CANARY + "\"").contains("offset 15s");
        assertThat(ranges.get(1).get("query")).contains("destination_workload=\"podinfo-primary\"")
                .contains("destination_canonical_revision=\"" + PROMOTED + "\"");
    }

    @Test
    void aRangeAsksForAtMostAThousandStepsAndOneSeriesOnly() {
        MetricCheck latency = duration(true);
        latency.setInterval("2h");

        analysis.run(rollout(List.of(latency)), CANARY, TemplateLookup.of(List.of()));
        points.put("template/canary", noisy(160, 30));
        MetricCheck perPod = compared("latency", Direction.Increase, true);
        perPod.setTemplateRef(new ObjectRef("latency", null));
        prometheus.removeContext("/api/v1/query_range");
        prometheus.createContext("/api/v1/query_range", exchange -> respond(exchange, "{\"status\":\"success\",\"data\":"
                + "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"pod\":\"a\"},\"values\":[]},"
                + "{\"metric\":{\"pod\":\"b\"},\"values\":[]}]}}"));
        CheckResult twoSeries = analysis.run(rollout(List.of(perPod)), CANARY, TemplateLookup.of(List.of(template("latency",
                "latency{namespace=\"{{ namespace }}\",version=\"{{ revision }}\"}"))));

        // 1000 points of 1s end now: the 2h window starts 999s ago.
        assertThat(ranges.get(0).get("start")).isEqualTo("1796298201.000");
        assertThat(twoSeries.reason()).isEqualTo(CheckFailure.QUERY_REJECTED.reason());
        assertThat(metric(twoSeries, "latency").getMessage()).isEqualTo("MetricTemplate shop/latency: the query returned 2 series;"
                + " it must return one (aggregate it, e.g. with sum())");
    }

    @Test
    void aTemplateIsRenderedForEachSideAndOneThatReadsTheSameForBothIsInvalid() {
        MetricCheck latency = compared("latency", Direction.Increase, true);
        latency.setTemplateRef(new ObjectRef("latency", null));
        MetricCheck blind = compared("errors", Direction.Increase, false);
        blind.setTemplateRef(new ObjectRef("errors", null));
        TemplateLookup templates = TemplateLookup.of(List.of(
                template("latency", "avg(latency{namespace=\"{{ namespace }}\",pod=~\"{{ workload }}-.*\",version=\"{{ revision }}\"})"),
                template("errors", "sum(rate(errors{namespace=\"{{ namespace }}\"}[{{ interval }}]))")));

        CheckResult result = analysis.run(rollout(List.of(latency, blind)), CANARY, templates);

        assertThat(ranges).extracting(r -> r.get("query")).containsExactly(
                "avg(latency{namespace=\"shop\",pod=~\"podinfo-.*\",version=\"" + CANARY + "\"})",
                "avg(latency{namespace=\"shop\",pod=~\"podinfo-primary-.*\",version=\"" + PROMOTED + "\"})");
        assertThat(result.reason()).isEqualTo(CheckFailure.INVALID_METRIC.reason());
        assertThat(metric(result, "errors").getMessage()).startsWith("MetricTemplate shop/errors: its query reads the same for the"
                + " canary and the primary");
    }

    @Test
    void withABaselineTheComparisonSideIsTheBaselinesWorkloadServiceAndThePromotedRevision() {
        MetricCheck latency = compared("latency", Direction.Increase, true);
        latency.setTemplateRef(new ObjectRef("latency", null));
        Rollout rollout = rollout(List.of(latency, duration(false)));
        rollout.getSpec().getAnalysis().setBaseline(true);
        TemplateLookup templates = TemplateLookup.of(List.of(template("latency", "avg(latency{pod=~\"{{ workload }}-.*\","
                + "service=\"{{ workloadService }}\",side=\"{{ side }}\",version=\"{{ revision }}\"})")));
        points.put("template/canary", noisy(161, 30));
        points.put("template/primary", noisy(160, 30));
        points.put("duration/canary", noisy(161, 30));
        points.put("duration/primary", noisy(160, 30));

        CheckResult result = analysis.run(rollout, CANARY, templates);

        assertThat(ranges).extracting(r -> r.get("query")).startsWith(
                "avg(latency{pod=~\"podinfo-.*\",service=\"podinfo-canary\",side=\"canary\",version=\"" + CANARY + "\"})",
                "avg(latency{pod=~\"podinfo-baseline-.*\",service=\"podinfo-baseline\",side=\"baseline\",version=\""
                        + PROMOTED + "\"})");
        // The built-in metric reads the baseline's telemetry: its workload, the promoted revision.
        assertThat(ranges.get(3).get("query")).contains("destination_workload=\"podinfo-baseline\"")
                .contains("destination_canonical_revision=\"" + PROMOTED + "\"");
        assertThat(result.verdict()).isEqualTo(Verdict.Passed);
        assertThat(metric(result, "latency").getComparison().getComparedWith()).isEqualTo("baseline");
        assertThat(metric(result, "latency").getMessage()).contains(" vs baseline ");
        assertThat(metric(result, "request-duration").getComparison().getComparedWith()).isEqualTo("baseline");
    }

    /** {@code n} points around {@code centre}, spread by ±3% in a fixed pattern. */
    private static double[] noisy(double centre, int n) {
        return IntStream.range(0, n).mapToDouble(i -> centre * (1 + 0.03 * Math.sin(i * 1.7 + centre))).toArray();
    }

    private static MetricCheck duration(boolean critical) {
        return compared("request-duration", Direction.Increase, critical);
    }

    private static MetricCheck successRate() {
        return compared("request-success-rate", Direction.Decrease, false);
    }

    private static MetricCheck compared(String name, Direction direction, boolean critical) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        CompareSpec compare = new CompareSpec();
        compare.setDirection(direction);
        compare.setTolerance(0.1);
        compare.setCritical(critical ? true : null);
        check.setCompare(compare);
        return check;
    }

    private static MetricStatus metric(CheckResult result, String name) {
        return result.metrics().stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    /** AnalysisTest's Rollout, checked every second, with a promoted revision to compare the canary with. */
    private static Rollout rollout(List<MetricCheck> metrics) {
        Rollout rollout = AnalysisTest.rollout(metrics);
        rollout.getSpec().getAnalysis().setInterval("1s");
        RolloutStatus status = new RolloutStatus();
        status.setLastPromotedRevision(PROMOTED);
        rollout.setStatus(status);
        return rollout;
    }

    private MetricTemplate template(String name, String query) {
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        MetricProvider provider = new MetricProvider();
        provider.setAddress(address());
        spec.setProvider(provider);
        spec.setQuery(query);
        template.setSpec(spec);
        return template;
    }

    private String address() {
        return "http://127.0.0.1:" + prometheus.getAddress().getPort();
    }

    private static Map<String, String> params(String raw) {
        Map<String, String> params = new HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
