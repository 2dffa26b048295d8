package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.CompareSpec;
import dev.ramp.api.Direction;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import dev.ramp.api.Verdict;
import dev.ramp.kube.References;
import dev.ramp.testing.LoopbackEgress;
import dev.ramp.testing.MovingClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The judge's points of the built-in metrics read from one range query for every canary, on a clock
 * the test moves, from a Prometheus stand-in on 127.0.0.1 that answers each range on the grid it is
 * asked for, from series that begin with each release, and records what it is asked: two canaries of
 * different release starts get from one query the points their own queries get; the query reaches
 * back to the earliest start it can expect; an error reaches every check as its own would; a max
 * age of 0 asks alone.
 */
class BatchedJudgeTest {

    /** Not on the 10 s grid, so that every range's start is moved to it. */
    private static final Instant NOW = Instant.parse("2026-12-04T03:00:04.500Z");
    private static final Pattern WORKLOAD = Pattern.compile("destination_workload=\"([^\"]+)\",destination_canonical_revision=\"([^\"]+)\"");

    private HttpServer prometheus;
    private final List<Map<String, String>> ranges = new CopyOnWriteArrayList<>();
    /** Each workload's series: its revision, and when it begins. */
    private final Map<String, String[]> series = new HashMap<>();
    private volatile int status = 200;
    private final MovingClock clock = new MovingClock(NOW);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private String address;

    @BeforeEach
    void prometheusOnLoopback() throws IOException {
        series.put("podinfo", new String[] {"rev1", "2026-12-04T02:00:00Z"});
        series.put("podinfo-primary", new String[] {"rev0", "2026-12-04T01:00:00Z"});
        series.put("cart", new String[] {"rev2", "2026-12-04T02:59:13Z"});
        series.put("cart-primary", new String[] {"rev0", "2026-12-04T01:00:00Z"});
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.createContext("/api/v1/query_range", exchange -> {
            Map<String, String> params = params(exchange.getRequestURI().getRawQuery());
            ranges.add(params);
            String body = status == 200 ? "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                    + matrix(params) + "]}}" : "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"overloaded\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        prometheus.start();
        address = "http://127.0.0.1:" + prometheus.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        prometheus.stop(0);
    }

    @Test
    void twoCanariesOfDifferentReleaseStartsGetFromOneQueryThePointsTheirOwnQueriesGet() {
        Rollout podinfo = rollout("podinfo", "2026-12-04T02:00:00Z");
        Rollout cart = rollout("cart", "2026-12-04T02:59:13Z");
        Analysis own = analysis(Duration.ZERO);
        CheckResult podinfoAlone = own.run(podinfo, "rev1", none());
        CheckResult cartAlone = own.run(cart, "rev2", none());
        List<Map<String, String>> alone = List.copyOf(ranges);
        ranges.clear();

        Analysis batched = analysis(Duration.ofSeconds(1));
        CheckResult podinfoBatched = batched.run(podinfo, "rev1", none());
        CheckResult cartBatched = batched.run(cart, "rev2", none());

        // Alone: two ranges a canary, each starting on the grid: podinfo's window of 10 points of 10 s
        // from 02:58:24.5, cart's from its release at 02:59:13.
        assertThat(alone).extracting(r -> r.get("start")).containsExactly(seconds("2026-12-04T02:58:30Z"),
                seconds("2026-12-04T02:58:30Z"), seconds("2026-12-04T02:59:20Z"), seconds("2026-12-04T02:59:20Z"));
        // Batched: one range for both canaries and both sides, from the earlier start, and the same judgments.
        assertThat(ranges).hasSize(1);
        assertThat(ranges.get(0).get("start")).isEqualTo(seconds("2026-12-04T02:58:30Z"));
        assertThat(ranges.get(0).get("query")).startsWith("(sum by (destination_workload_namespace, destination_workload,"
                + " destination_canonical_revision) ((clamp_min(istio_request_duration_milliseconds_sum{reporter=\"destination\"}");
        assertThat(comparisons(podinfoBatched)).usingRecursiveComparison().isEqualTo(comparisons(podinfoAlone));
        assertThat(comparisons(cartBatched)).usingRecursiveComparison().isEqualTo(comparisons(cartAlone));
        assertThat(podinfoBatched.verdict()).isEqualTo(Verdict.Passed);
        assertThat(metric(podinfoBatched).getComparison().getCanaryPoints()).isEqualTo(10);
        assertThat(metric(cartBatched).getComparison().getCanaryPoints()).isEqualTo(5);
        assertThat(metric(cartBatched).getComparison().getComparisonPoints()).isEqualTo(5);
        assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.BATCHED).count()).isEqualTo(1.0);
        // The four single queries are the checks asked alone above; the batched checks asked none.
        assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.SINGLE).count()).isEqualTo(4.0);
    }

    @Test
    void aCanaryReachingFurtherBackThanTheBatchAsksAWiderOneWhichTheNextRoundAsksFirst() {
        Rollout podinfo = rollout("podinfo", "2026-12-04T02:00:00Z");
        Rollout cart = rollout("cart", "2026-12-04T02:59:13Z");
        Analysis batched = analysis(Duration.ofSeconds(1));

        batched.run(cart, "rev2", none());
        batched.run(podinfo, "rev1", none());
        clock.advance(Duration.ofSeconds(10));
        batched.run(cart, "rev2", none());
        batched.run(podinfo, "rev1", none());

        // The first round: cart's range, then podinfo's reaching back further. The next round's first
        // check, cart's, asks from podinfo's window (less the max age), which serves podinfo too.
        assertThat(ranges).extracting(r -> r.get("start")).containsExactly(seconds("2026-12-04T02:59:20Z"),
                seconds("2026-12-04T02:58:30Z"), seconds("2026-12-04T02:58:40Z"));
    }

    @Test
    void anUnavailablePrometheusLeavesEveryCheckInconclusiveAsItsOwnQueryWould() {
        status = 503;
        Rollout podinfo = rollout("podinfo", "2026-12-04T02:00:00Z");
        Rollout cart = rollout("cart", "2026-12-04T02:59:13Z");
        CheckResult own = analysis(Duration.ZERO).run(podinfo, "rev1", none());
        ranges.clear();

        Analysis batched = analysis(Duration.ofSeconds(1));
        List<CheckResult> results = List.of(batched.run(podinfo, "rev1", none()), batched.run(cart, "rev2", none()));

        for (CheckResult result : results) {
            assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
            assertThat(result.failure()).isEqualTo(own.failure());
            assertThat(metric(result).getMessage()).isEqualTo(metric(own).getMessage())
                    .isEqualTo("Prometheus rejected the query: unavailable: overloaded");
        }
        assertThat(ranges).hasSize(1);
    }

    @Test
    void aMaxAgeOfZeroAsksEachSideAloneAndATemplateIsAlwaysAskedAlone() {
        analysis(Duration.ZERO).run(rollout("podinfo", "2026-12-04T02:00:00Z"), "rev1", none());

        assertThat(ranges).extracting(r -> r.get("query")).allSatisfy(q -> assertThat(q).doesNotContain("sum by")).hasSize(2);
        assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.SINGLE).count()).isEqualTo(2.0);
    }

    @Test
    void onTraefikEachSideIsOneQueryForEveryCanary() {
        Rollout podinfo = rollout("podinfo", "2026-12-04T02:00:00Z");
        podinfo.getSpec().getService().setProvider(RoutingProvider.GatewayAPI);
        Rollout cart = rollout("cart", "2026-12-04T02:00:00Z");
        cart.getSpec().getService().setProvider(RoutingProvider.GatewayAPI);

        Analysis batched = analysis(Duration.ofSeconds(1));
        batched.run(podinfo, "rev1", none());
        batched.run(cart, "rev2", none());

        assertThat(ranges).extracting(r -> r.get("query")).hasSize(2).satisfiesExactly(
                q -> assertThat(q).startsWith("1000 * sum by (service)").contains("-svc-.+-canary-[0-9]+@kubernetesgateway"),
                q -> assertThat(q).startsWith("1000 * sum by (service)").contains("-svc-.+-primary-[0-9]+@kubernetesgateway"));
    }

    /** Each workload's points on the asked grid from its series' start: its single series for a canary's own query. */
    private String matrix(Map<String, String> params) {
        long start = new BigDecimal(params.get("start")).movePointRight(3).longValueExact();
        long end = new BigDecimal(params.get("end")).movePointRight(3).longValueExact();
        long step = new BigDecimal(params.get("step")).movePointRight(3).longValueExact();
        String query = params.get("query");
        List<String> result = new ArrayList<>();
        Matcher own = WORKLOAD.matcher(query);
        for (var workload : series.entrySet()) {
            String revision = workload.getValue()[0];
            boolean batched = query.contains("sum by");
            if (!batched && !(own.find(0) && own.group(1).equals(workload.getKey()) && own.group(2).equals(revision))) {
                continue;
            }
            long since = Instant.parse(workload.getValue()[1]).toEpochMilli();
            List<String> points = new ArrayList<>();
            for (long t = start; t <= end; t += step) {
                if (t >= since) {
                    // A mean latency that varies from step to step: 40 ms and up, the canary cart's 400.
                    double ms = (workload.getKey().equals("cart") ? 400 : 40) + (t / step) % 7;
                    points.add("[" + BigDecimal.valueOf(t, 3).toPlainString() + ",\"" + ms + "\"]");
                }
            }
            String labels = batched ? "\"destination_workload_namespace\":\"shop\",\"destination_workload\":\"" + workload.getKey()
                    + "\",\"destination_canonical_revision\":\"" + revision + "\"" : "";
            result.add("{\"metric\":{" + labels + "},\"values\":[" + String.join(",", points) + "]}");
        }
        return String.join(",", result);
    }

    private Analysis analysis(Duration maxAge) {
        AnalysisMetrics metrics = new AnalysisMetrics(registry);
        return new Analysis(new Providers(null, address, LoopbackEgress.policy()), metrics, References.SAME_NAMESPACE,
                GatewayApiImplementation.traefik(), clock, new QueryBatches(maxAge, clock, metrics));
    }

    private static String seconds(String instant) {
        return BigDecimal.valueOf(Instant.parse(instant).toEpochMilli(), 3).toPlainString();
    }

    private static TemplateLookup none() {
        return TemplateLookup.of(List.of());
    }

    private static MetricStatus metric(CheckResult result) {
        return result.metrics().stream().filter(m -> m.getName().equals(BuiltinQueries.DURATION)).findFirst().orElseThrow();
    }

    /** Each compare metric's comparison as status shows it, and the score. */
    private static Map<String, Object> comparisons(CheckResult result) {
        Map<String, Object> shown = new HashMap<>();
        for (MetricStatus m : result.metrics()) {
            shown.put(m.getName(), m.getComparison() == null ? m.getValue() + " " + m.getVerdict() + " " + m.getMessage()
                    : m.getComparison());
        }
        return shown;
    }

    /** A Rollout judged on request-duration against its primary, 10 points of 10 s, its release begun at {@code released}. */
    private static Rollout rollout(String name, String released) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef(name));
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        service.setProvider(RoutingProvider.Istio);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setMinRequests(0);
        analysis.setInterval("10s");
        analysis.setJudge(new JudgeSpec());
        MetricCheck duration = new MetricCheck();
        duration.setName(BuiltinQueries.DURATION);
        CompareSpec compare = new CompareSpec();
        compare.setDirection(Direction.Increase);
        compare.setTolerance(0.1);
        compare.setCritical(true);
        duration.setCompare(compare);
        analysis.setMetrics(List.of(duration));
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        RolloutStatus status = new RolloutStatus();
        status.setReleaseStartTime(released);
        status.setLastPromotedRevision("rev0");
        rollout.setStatus(status);
        return rollout;
    }

    private static Map<String, String> params(String raw) {
        Map<String, String> params = new HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }
}
