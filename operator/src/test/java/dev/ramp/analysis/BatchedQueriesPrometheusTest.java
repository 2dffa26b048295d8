package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.CompareSpec;
import dev.ramp.api.Direction;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import dev.ramp.api.ThresholdRange;
import dev.ramp.kube.References;
import dev.ramp.testing.LoopbackEgress;
import dev.ramp.testing.TestPrometheus;
import dev.ramp.testing.TraefikTelemetry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The batched queries in a real Prometheus (Debian's package, scraping every second): for each
 * canary, on Istio's and on Traefik's series, the minimum sample and the built-in metrics read
 * from one query per metric are the values its own queries read, and a canary with no series has
 * no data in both. The judge's points of two canaries released at different times, on both sides,
 * read from one range query per metric (and on Traefik per side), are the points of their own
 * range queries, and judge the same.
 */
class BatchedQueriesPrometheusTest {

    private static final String ROUTE = "httproute-shop-podinfo-gw-shop-public-ep-web-0-428e91f934a11bb28798";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void onIstioEveryCanaryReadsFromTheBatchWhatItsOwnQueriesRead() throws Exception {
        StringBuilder series = new StringBuilder();
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exporter.createContext("/metrics", exchange -> {
            byte[] body;
            synchronized (series) {
                body = series.toString().getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        exporter.start();
        try (TestPrometheus prometheus = new TestPrometheus("127.0.0.1:" + exporter.getAddress().getPort())) {
            prometheus.awaitScrapes();
            synchronized (series) {
                series.append("# TYPE istio_requests_total counter\n# TYPE istio_request_duration_milliseconds histogram\n");
                istio(series, "podinfo", "rev1", 200, 100, 40);
                istio(series, "cart", "rev2", 200, 80, 40);
                istio(series, "cart", "rev2", 503, 20, 400);
                istio(series, "podinfo-primary", "rev0", 503, 500, 900);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> prometheus.hasData("istio_requests_total{destination_workload=\"cart\","
                    + "response_code=\"503\"}") && prometheus.hasData("istio_requests_total{destination_workload=\"podinfo-primary\"}"));

            Map<String, Map<String, Double>> batched = new HashMap<>();
            Map<String, Map<String, Double>> alone = new HashMap<>();
            Analysis batches = batched(prometheus.address());
            Analysis own = alone(prometheus.address());
            for (String[] canary : List.of(new String[] {"podinfo", "rev1"}, new String[] {"cart", "rev2"}, new String[] {"api", "rev3"})) {
                Rollout rollout = rollout(canary[0], RoutingProvider.Istio, null);
                batched.put(canary[0], values(batches.run(rollout, canary[1], TemplateLookup.of(List.of()))));
                alone.put(canary[0], values(own.run(rollout, canary[1], TemplateLookup.of(List.of()))));
            }

            assertThat(batched).isEqualTo(alone);
            assertThat(batched.get("podinfo")).containsEntry(Analysis.REQUESTS, 100.0).containsEntry(BuiltinQueries.SUCCESS_RATE, 100.0);
            assertThat(batched.get("cart")).containsEntry(Analysis.REQUESTS, 100.0).containsEntry(BuiltinQueries.SUCCESS_RATE, 80.0);
            assertThat(batched.get("cart").get(BuiltinQueries.DURATION)).isGreaterThan(250.0);
            // No series: no request, and no value for either metric.
            assertThat(batched.get("api")).containsEntry(Analysis.REQUESTS, 0.0).containsEntry(BuiltinQueries.SUCCESS_RATE, null);
            // Three canaries, one query per metric (the cart's failed round asked its counters alone).
            assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.BATCHED).count()).isEqualTo(3.0);
        } finally {
            exporter.stop(0);
        }
    }

    @Test
    void onTraefikEveryCanaryServiceReadsFromTheBatchWhatItsOwnQueriesRead() throws Exception {
        try (TraefikTelemetry traefik = new TraefikTelemetry(); TestPrometheus prometheus = new TestPrometheus(traefik.target())) {
            prometheus.awaitScrapes();
            String podinfo = ROUTE + "-svc-shop-podinfo-canary-1@kubernetesgateway";
            String cart = "httproute-shop-cart-gw-shop-public-ep-web-0-0123456789abcdef0123-svc-shop-cart-canary-0@kubernetesgateway";
            traefik.served(podinfo, 200, 50, 0.04);
            traefik.served(cart, 200, 40, 0.04);
            traefik.served(cart, 503, 10, 0.8);
            traefik.served(ROUTE + "-svc-shop-podinfo-primary-0@kubernetesgateway", 500, 300, 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> prometheus.hasData("traefik_service_requests_total{code=\"503\"}")
                    && prometheus.hasData("traefik_service_requests_total{code=\"500\"}"));

            Map<String, Map<String, Double>> batched = new HashMap<>();
            Map<String, Map<String, Double>> alone = new HashMap<>();
            Analysis batches = batched(prometheus.address());
            Analysis own = alone(prometheus.address());
            // Released an hour ago: counted over the window, as the batch counts.
            String released = Instant.now().minusSeconds(3600).toString();
            for (String canary : List.of("podinfo", "cart", "api")) {
                Rollout rollout = rollout(canary, RoutingProvider.GatewayAPI, released);
                batched.put(canary, values(batches.run(rollout, "rev1", TemplateLookup.of(List.of()))));
                alone.put(canary, values(own.run(rollout, "rev1", TemplateLookup.of(List.of()))));
            }

            assertThat(batched).isEqualTo(alone);
            assertThat(batched.get("podinfo")).containsEntry(Analysis.REQUESTS, 50.0).containsEntry(BuiltinQueries.SUCCESS_RATE, 100.0);
            assertThat(batched.get("cart")).containsEntry(Analysis.REQUESTS, 50.0).containsEntry(BuiltinQueries.SUCCESS_RATE, 80.0);
            assertThat(batched.get("api")).containsEntry(Analysis.REQUESTS, 0.0).containsEntry(BuiltinQueries.SUCCESS_RATE, null);
            assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.BATCHED).count()).isEqualTo(3.0);
        }
    }

    @Test
    void onIstioTheJudgesPointsOfTwoCanariesReleasedApartAreThoseOfTheirOwnRangeQueries() throws Exception {
        IstioTelemetry istio = new IstioTelemetry();
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exporter.createContext("/metrics", exchange -> {
            byte[] body = istio.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        exporter.start();
        var load = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try (TestPrometheus prometheus = new TestPrometheus("127.0.0.1:" + exporter.getAddress().getPort())) {
            prometheus.awaitScrapes();
            Instant released = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            java.util.Random random = new java.util.Random(23);
            load.scheduleAtFixedRate(() -> {
                boolean cartReleased = Instant.now().isAfter(released.plusSeconds(5));
                istio.served("podinfo", "rev1", 200, 3, 40 + random.nextInt(20));
                istio.served("podinfo-primary", "rev0", 200, 3, 40 + random.nextInt(20));
                istio.served("cart-primary", "rev0", 200, 3, 30 + random.nextInt(20));
                if (cartReleased) {
                    istio.served("cart", "rev2", random.nextInt(4) == 0 ? 503 : 200, 3, 60 + random.nextInt(40));
                }
            }, 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> prometheus.hasData(
                    "count_over_time(istio_requests_total{destination_workload=\"cart\",response_code=\"200\"}[1m]) >= 12"));

            assertSamePoints(prometheus.address(), List.of(judged("podinfo", RoutingProvider.Istio, released),
                    judged("cart", RoutingProvider.Istio, released.plusSeconds(5))), List.of("rev1", "rev2"), 2);
        } finally {
            load.shutdownNow();
            exporter.stop(0);
        }
    }

    @Test
    void onTraefikTheJudgesPointsOfTwoCanariesReleasedApartAreThoseOfTheirOwnRangeQueries() throws Exception {
        var load = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try (TraefikTelemetry traefik = new TraefikTelemetry(); TestPrometheus prometheus = new TestPrometheus(traefik.target())) {
            prometheus.awaitScrapes();
            String cart = "httproute-shop-cart-gw-shop-public-ep-web-0-0123456789abcdef0123-svc-shop-cart-";
            Instant released = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            java.util.Random random = new java.util.Random(23);
            load.scheduleAtFixedRate(() -> {
                traefik.served(ROUTE + "-svc-shop-podinfo-canary-1@kubernetesgateway", 200, 3, (40 + random.nextInt(20)) / 1000.0);
                traefik.served(ROUTE + "-svc-shop-podinfo-primary-0@kubernetesgateway", 200, 3, (40 + random.nextInt(20)) / 1000.0);
                traefik.served(cart + "primary-0@kubernetesgateway", 200, 3, (30 + random.nextInt(20)) / 1000.0);
                if (Instant.now().isAfter(released.plusSeconds(5))) {
                    traefik.served(cart + "canary-1@kubernetesgateway", random.nextInt(4) == 0 ? 503 : 200, 3,
                            (60 + random.nextInt(40)) / 1000.0);
                }
            }, 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> prometheus.hasData("count_over_time(traefik_service_requests_total{"
                    + "service=\"" + cart + "canary-1@kubernetesgateway\",code=\"200\"}[1m]) >= 12"));

            // One query per metric and side: the canaries' backends, and the primaries'.
            assertSamePoints(prometheus.address(), List.of(judged("podinfo", RoutingProvider.GatewayAPI, released),
                    judged("cart", RoutingProvider.GatewayAPI, released.plusSeconds(5))), List.of("rev1", "rev2"), 4);
        } finally {
            load.shutdownNow();
        }
    }

    /**
     * For each Rollout (its canary running the revision of the same index), at an instant Prometheus
     * has scraped, each side's points of each compare metric read from the batch equal its own range
     * query's (over the window Analysis reads: 20 s, from the release's start when younger), and the
     * whole round judges the same batched and alone, in {@code queries} batched queries.
     */
    private void assertSamePoints(String address, List<Rollout> rollouts, List<String> revisions, int queries) throws Exception {
        Clock clock = Clock.fixed(Instant.now().minusMillis(1500), java.time.ZoneOffset.UTC);
        Instant now = clock.instant();
        Providers providers = new Providers(null, address, LoopbackEgress.policy());
        AnalysisMetrics metrics = new AnalysisMetrics(registry);
        MetricQueries resolver = new MetricQueries(providers, References.SAME_NAMESPACE, GatewayApiImplementation.traefik());
        BuiltinBatches batches = new BuiltinBatches(new QueryBatches(Duration.ofSeconds(30), clock, metrics), resolver, providers);
        Duration step = Duration.ofSeconds(1);
        List<Integer> counts = new java.util.ArrayList<>();
        List<Instant> starts = new java.util.ArrayList<>();
        for (int i = 0; i < rollouts.size(); i++) {
            Rollout rollout = rollouts.get(i);
            Instant releaseStart = Instant.parse(rollout.getStatus().getReleaseStartTime());
            Instant start = releaseStart.isAfter(now.minusSeconds(20)) ? releaseStart : now.minusSeconds(20);
            starts.add(start);
            RolloutNames names = RolloutNames.of(rollout);
            for (MetricQueries.Side side : List.of(MetricQueries.Side.canary(names, revisions.get(i)),
                    MetricQueries.Side.primary(names, "rev0"))) {
                for (MetricCheck check : rollout.getSpec().getAnalysis().getMetrics()) {
                    MetricQueries.Query own = resolver.resolve(rollout, side, check, step, true, TemplateLookup.of(List.of()), now, "m");
                    double[] alone = providers.defaultProvider().queryRange(own.text(), start, now, step);
                    double[] batched = batches.points(rollout, side, check.getName(), step, start, now).orElseThrow();
                    assertThat(batched).as(rollout.getMetadata().getName() + " " + side.name() + " " + check.getName())
                            .containsExactly(alone);
                    assertThat(alone).hasSizeGreaterThanOrEqualTo(5);
                    counts.add(alone.length);
                }
            }
        }
        // The canaries' own windows differ while the later release is younger than the window (on a
        // machine slow enough to get here later, both windows are the last 20 s): fewer points then.
        if (starts.get(0).plusSeconds(2).isBefore(starts.get(starts.size() - 1))) {
            assertThat(counts.get(0)).isGreaterThan(counts.get(counts.size() - 1));
        }
        assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.BATCHED).count()).isEqualTo(queries);

        Analysis batchedRounds = new Analysis(providers, metrics, References.SAME_NAMESPACE, GatewayApiImplementation.traefik(), clock,
                new QueryBatches(Duration.ofSeconds(30), clock, metrics));
        Analysis ownRounds = new Analysis(providers, new AnalysisMetrics(new SimpleMeterRegistry()), References.SAME_NAMESPACE,
                GatewayApiImplementation.traefik(), clock);
        for (int i = 0; i < rollouts.size(); i++) {
            CheckResult batched = batchedRounds.run(rollouts.get(i), revisions.get(i), TemplateLookup.of(List.of()));
            CheckResult alone = ownRounds.run(rollouts.get(i), revisions.get(i), TemplateLookup.of(List.of()));
            assertThat(batched.metrics()).usingRecursiveFieldByFieldElementComparator().isEqualTo(alone.metrics());
            assertThat(batched.metrics()).filteredOn(m -> m.getComparison() != null)
                    .allSatisfy(m -> assertThat(m.getComparison().getCanaryPoints()).isGreaterThanOrEqualTo(5));
        }
    }

    /** A Rollout judged on both built-in metrics against its primary, at a step of 1 s over 20 s, released at {@code released}. */
    private static Rollout judged(String name, RoutingProvider provider, Instant released) {
        Rollout rollout = rollout(name, provider, released.toString());
        AnalysisSpec analysis = rollout.getSpec().getAnalysis();
        analysis.setMinRequests(0);
        analysis.setInterval("1s");
        JudgeSpec judge = new JudgeSpec();
        judge.setMinPoints(5);
        analysis.setJudge(judge);
        List<MetricCheck> compared = new java.util.ArrayList<>();
        for (String metric : List.of(BuiltinQueries.SUCCESS_RATE, BuiltinQueries.DURATION)) {
            MetricCheck check = new MetricCheck();
            check.setName(metric);
            check.setInterval("20s");
            CompareSpec compare = new CompareSpec();
            compare.setDirection(BuiltinQueries.DURATION.equals(metric) ? Direction.Increase : Direction.Decrease);
            compare.setTolerance(0.1);
            check.setCompare(compare);
            compared.add(check);
        }
        analysis.setMetrics(compared);
        rollout.getStatus().setLastPromotedRevision("rev0");
        return rollout;
    }

    private Analysis batched(String address) {
        Clock clock = Clock.systemUTC();
        AnalysisMetrics metrics = new AnalysisMetrics(registry);
        return new Analysis(new Providers(null, address, LoopbackEgress.policy()), metrics, References.SAME_NAMESPACE,
                GatewayApiImplementation.traefik(), clock, new QueryBatches(Duration.ofSeconds(30), clock, metrics));
    }

    private static Analysis alone(String address) {
        return new Analysis(new Providers(null, address, LoopbackEgress.policy()), new AnalysisMetrics(new SimpleMeterRegistry()),
                References.SAME_NAMESPACE, GatewayApiImplementation.traefik(), Clock.systemUTC());
    }

    /** {@code requests} requests to the workload's revision answered {@code code}, each in {@code ms}. */
    private static void istio(StringBuilder out, String workload, String revision, int code, int requests, int ms) {
        String labels = "reporter=\"destination\",destination_workload_namespace=\"shop\",destination_workload=\"" + workload
                + "\",destination_canonical_revision=\"" + revision + "\",response_code=\"" + code + "\"";
        out.append("istio_requests_total{").append(labels).append("} ").append(requests).append('\n');
        for (int bound : new int[] {25, 50, 100, 250, 500, 1000}) {
            out.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"").append(bound).append("\"} ")
                    .append(ms <= bound ? requests : 0).append('\n');
        }
        out.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(requests).append('\n');
        out.append("istio_request_duration_milliseconds_sum{").append(labels).append("} ").append(requests * ms).append('\n');
        out.append("istio_request_duration_milliseconds_count{").append(labels).append("} ").append(requests).append('\n');
    }

    /** Istio's destination telemetry of the workloads a test says served requests; counters only grow. */
    private static final class IstioTelemetry {
        private final Map<String, double[]> totals = new java.util.TreeMap<>();

        /** {@code requests} more requests to the workload's revision answered {@code code}, each in {@code ms}. */
        synchronized void served(String workload, String revision, int code, int requests, int ms) {
            double[] t = totals.computeIfAbsent(workload + "/" + revision + "/" + code, k -> new double[2]);
            t[0] += requests;
            t[1] += requests * ms;
        }

        synchronized String scrape() {
            StringBuilder out = new StringBuilder("# TYPE istio_requests_total counter\n");
            totals.forEach((key, t) -> {
                String[] k = key.split("/");
                String labels = "reporter=\"destination\",destination_workload_namespace=\"shop\",destination_workload=\"" + k[0]
                        + "\",destination_canonical_revision=\"" + k[1] + "\",response_code=\"" + k[2] + "\"";
                out.append("istio_requests_total{").append(labels).append("} ").append((long) t[0]).append('\n');
                out.append("istio_request_duration_milliseconds_sum{").append(labels).append("} ").append(t[1]).append('\n');
                out.append("istio_request_duration_milliseconds_count{").append(labels).append("} ").append((long) t[0]).append('\n');
            });
            return out.toString();
        }
    }

    private static Map<String, Double> values(CheckResult result) {
        Map<String, Double> values = new HashMap<>();
        for (MetricStatus metric : result.metrics()) {
            values.put(metric.getName(), metric.getValue());
        }
        return values;
    }

    private static Rollout rollout(String name, RoutingProvider provider, String releaseStart) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef(name));
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        service.setProvider(provider);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setMinRequests(20);
        analysis.setMetrics(List.of(check(BuiltinQueries.SUCCESS_RATE, 99.0, null), check(BuiltinQueries.DURATION, null, 500.0)));
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        RolloutStatus status = new RolloutStatus();
        status.setReleaseStartTime(releaseStart);
        rollout.setStatus(status);
        return rollout;
    }

    private static MetricCheck check(String name, Double min, Double max) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        check.setThresholdRange(new ThresholdRange(min, max));
        return check;
    }
}
