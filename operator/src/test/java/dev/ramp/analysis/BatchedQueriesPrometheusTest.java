package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Rollout;
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
 * no data in both.
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
