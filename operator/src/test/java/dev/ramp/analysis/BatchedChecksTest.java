package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.api.ObjectRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import dev.ramp.kube.References;
import dev.ramp.testing.LoopbackEgress;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks of several canaries read from one batched query per built-in metric and window, at a
 * fixed instant, from a Prometheus stand-in on 127.0.0.1 that answers each query as the test says
 * and records it: each canary gets its own series' value; a canary missing from the answer has no
 * data, word for word as when its own query returns nothing; an unavailable Prometheus leaves every
 * check Inconclusive as before; MetricTemplates and young Traefik releases are asked alone.
 */
class BatchedChecksTest {

    private static final Instant NOW = Instant.parse("2026-12-04T03:00:00Z");
    private static final String ROUTE = "httproute-shop-podinfo-gw-shop-public-ep-web-0-428e91f934a11bb28798";

    private HttpServer prometheus;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    /** The answer to each query: the series of a vector, comma-separated. */
    private volatile Function<String, String> answers = query -> "";
    private volatile int status = 200;
    private String address;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void prometheusOnLoopback() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.createContext("/api/v1/query", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring("query=".length()), StandardCharsets.UTF_8);
            queries.add(query);
            String body = status == 200 ? "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + answers.apply(query) + "]}}"
                    : "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"overloaded\"}";
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

    private Analysis batched() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AnalysisMetrics metrics = new AnalysisMetrics(registry);
        return new Analysis(new Providers(null, address, LoopbackEgress.policy()), metrics, References.SAME_NAMESPACE,
                GatewayApiImplementation.traefik(), clock, new QueryBatches(Duration.ofSeconds(1), clock, metrics));
    }

    private Analysis alone() {
        return new Analysis(new Providers(null, address, LoopbackEgress.policy()), new AnalysisMetrics(new SimpleMeterRegistry()),
                References.SAME_NAMESPACE, GatewayApiImplementation.traefik(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void onIstioEachCanaryGetsItsOwnSeriesFromOneQueryPerMetric() {
        answers = query -> {
            if (query.startsWith("100 - 100")) {
                return istio("shop", "podinfo", "rev1", 100) + "," + istio("shop", "cart", "rev2", 80) + ","
                        + istio("team", "podinfo", "rev1", 50) + "," + istio("shop", "podinfo", "rev0", 10);
            }
            if (query.startsWith("histogram_quantile")) {
                return istio("shop", "podinfo", "rev1", 40) + "," + istio("shop", "cart", "rev2", 45) + "," + istio("team", "podinfo", "rev1", 900);
            }
            return istio("shop", "podinfo", "rev1", 300) + "," + istio("shop", "cart", "rev2", 200) + "," + istio("team", "podinfo", "rev1", 250);
        };
        Analysis analysis = batched();

        CheckResult podinfo = analysis.run(rollout("shop", "podinfo", RoutingProvider.Istio, null), "rev1", none());
        CheckResult cart = analysis.run(rollout("shop", "cart", RoutingProvider.Istio, null), "rev2", none());
        CheckResult team = analysis.run(rollout("team", "podinfo", RoutingProvider.Istio, null), "rev1", none());

        assertThat(values(podinfo)).isEqualTo(Map.of(Analysis.REQUESTS, 300.0, BuiltinQueries.SUCCESS_RATE, 100.0, BuiltinQueries.DURATION, 40.0));
        assertThat(podinfo.verdict()).isEqualTo(Verdict.Passed);
        assertThat(values(cart)).isEqualTo(Map.of(Analysis.REQUESTS, 200.0, BuiltinQueries.SUCCESS_RATE, 80.0, BuiltinQueries.DURATION, 45.0));
        assertThat(cart.verdict()).isEqualTo(Verdict.Failed);
        assertThat(values(team)).isEqualTo(Map.of(Analysis.REQUESTS, 250.0, BuiltinQueries.SUCCESS_RATE, 50.0, BuiltinQueries.DURATION, 900.0));
        // Three checks of three canaries, one query per metric; the failed one's counters are its own query.
        assertThat(queries.stream().filter(q -> q.contains("destination_canonical_revision)"))).hasSize(3);
        assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.BATCHED).count()).isEqualTo(3.0);
        assertThat(queries).contains("sum by (destination_workload_namespace, destination_workload, destination_canonical_revision)"
                + " ((clamp_min(istio_requests_total{reporter=\"destination\"} - istio_requests_total{reporter=\"destination\"}"
                + " offset 30s, 0) or istio_requests_total{reporter=\"destination\"}))");
    }

    @Test
    void aCanaryMissingFromTheBatchHasNoDataWordForWordAsWhenItsOwnQueryReturnsNothing() {
        Rollout rollout = rollout("shop", "api", RoutingProvider.Istio, null);
        rollout.getSpec().getAnalysis().setMinRequests(0);
        CheckResult own = alone().run(rollout, "rev3", none());

        answers = query -> istio("shop", "podinfo", "rev1", 100) + "," + istio("shop", "api", "rev2", 100);
        CheckResult fromBatch = batched().run(rollout, "rev3", none());

        assertThat(fromBatch.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(fromBatch.failures()).isEqualTo(own.failures())
                .contains("request-success-rate: no data: the query returned nothing for the canary's revision rev3");
        assertThat(fromBatch.failure()).isEqualTo(own.failure());
    }

    @Test
    void anUnavailablePrometheusLeavesEveryCheckInconclusiveAsItsOwnQueryWould() {
        status = 503;
        Rollout rollout = rollout("shop", "podinfo", RoutingProvider.Istio, null);
        CheckResult own = alone().run(rollout, "rev1", none());

        Analysis analysis = batched();
        CheckResult first = analysis.run(rollout, "rev1", none());
        CheckResult other = analysis.run(rollout("shop", "cart", RoutingProvider.Istio, null), "rev2", none());

        for (CheckResult result : List.of(first, other)) {
            assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
            assertThat(result.failure()).isEqualTo(own.failure());
        }
        assertThat(first.failures()).isEqualTo(own.failures());
    }

    @Test
    void aMetricTemplateIsAlwaysItsChecksOwnQueryEvenOnTheOperatorsPrometheus() {
        answers = query -> query.startsWith("my_errors") ? "{\"metric\":{},\"value\":[1,\"0\"]}" : istio("shop", "podinfo", "rev1", 300);
        Rollout rollout = rollout("shop", "podinfo", RoutingProvider.Istio, null);
        MetricCheck templated = new MetricCheck();
        templated.setName("errors");
        templated.setTemplateRef(new ObjectRef("errors", null));
        templated.setThresholdRange(new ThresholdRange(null, 1.0));
        rollout.getSpec().getAnalysis().setMetrics(List.of(templated));
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName("errors").withNamespace("shop").build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        spec.setQuery("my_errors{revision=\"{{ revision }}\"}");
        // No address: the operator's own Prometheus, the one the batches ask.
        spec.setProvider(new dev.ramp.api.MetricProvider());
        template.setSpec(spec);

        CheckResult result = batched().run(rollout, "rev1", TemplateLookup.of(List.of(template)));

        assertThat(result.verdict()).as(result.failures()).isEqualTo(Verdict.Passed);
        assertThat(queries).contains("my_errors{revision=\"rev1\"}");
        assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.SINGLE).count()).isEqualTo(1.0);
    }

    @Test
    void onTraefikEachCanaryServiceGetsItsBackendsSeriesAndAYoungReleaseIsAskedAlone() {
        String podinfo = ROUTE + "-svc-shop-podinfo-canary-1@kubernetesgateway";
        String cart = "httproute-shop-cart-gw-shop-public-ep-web-0-0123456789abcdef0123-svc-shop-cart-canary-0@kubernetesgateway";
        String otherNamespace = "httproute-team-shop-podinfo-gw-team-shop-public-ep-web-0-0123456789abcdef0123"
                + "-svc-team-shop-podinfo-canary-1@kubernetesgateway";
        answers = query -> query.startsWith("sum by (service)") || query.startsWith("100 - 100") && query.contains("offset")
                ? traefik(podinfo, 40) + "," + traefik(cart, 25) + "," + traefik(otherNamespace, 900)
                : "{\"metric\":{},\"value\":[1,\"7\"]}";
        Analysis analysis = batched();
        Rollout old = rollout("shop", "podinfo", RoutingProvider.GatewayAPI, "2026-12-04T02:00:00Z");
        old.getSpec().getAnalysis().setMetrics(List.of(check(BuiltinQueries.SUCCESS_RATE, 30.0, null)));
        Rollout other = rollout("shop", "cart", RoutingProvider.GatewayAPI, "2026-12-04T02:00:00Z");
        other.getSpec().getAnalysis().setMetrics(List.of(check(BuiltinQueries.SUCCESS_RATE, 30.0, null)));
        // Released 10 s ago, within its 30 s window: it counts from the release's start, which no batch knows.
        Rollout young = rollout("shop", "young", RoutingProvider.GatewayAPI, "2026-12-04T02:59:50Z");

        assertThat(values(analysis.run(old, "rev1", none()))).isEqualTo(Map.of(Analysis.REQUESTS, 40.0, BuiltinQueries.SUCCESS_RATE, 40.0));
        assertThat(values(analysis.run(other, "rev1", none()))).isEqualTo(Map.of(Analysis.REQUESTS, 25.0, BuiltinQueries.SUCCESS_RATE, 25.0));
        assertThat(values(analysis.run(young, "rev1", none()))).containsEntry(Analysis.REQUESTS, 7.0);
        assertThat(queries).filteredOn(q -> q.contains("@ " + NOW.minusSeconds(10).getEpochSecond() + ".000")).isNotEmpty();
        assertThat(queries).filteredOn(q -> q.startsWith("sum by (service)")).hasSize(1);
    }

    @Test
    void aTraefikSeriesIsACanarysOnlyWithItsNamespaceServiceAndRouteAtTheFixedEnds() {
        String canary = ROUTE + "-svc-shop-podinfo-canary-1@kubernetesgateway";
        assertThat(TraefikQueries.isBackend(canary, "shop", "podinfo-canary")).isTrue();
        assertThat(TraefikQueries.isBackend(canary.replace("httproute-", "grpcroute-"), "shop", "podinfo-canary")).isTrue();
        // The primary's backend, another namespace's Service of the same name, no route name, no hash, no index.
        assertThat(TraefikQueries.isBackend(canary.replace("-canary-", "-primary-"), "shop", "podinfo-canary")).isFalse();
        assertThat(TraefikQueries.isBackend("httproute-team-shop-podinfo-gw-team-shop-public-ep-web-0-0123456789abcdef0123"
                + "-svc-team-shop-podinfo-canary-1@kubernetesgateway", "shop", "podinfo-canary")).isFalse();
        assertThat(TraefikQueries.isBackend("httproute-shop--428e91f934a11bb28798-svc-shop-podinfo-canary-1@kubernetesgateway", "shop",
                "podinfo-canary")).isFalse();
        assertThat(TraefikQueries.isBackend("httproute-shop-r-svc-shop-podinfo-canary-1@kubernetesgateway", "shop",
                "podinfo-canary")).isFalse();
        assertThat(TraefikQueries.isBackend(ROUTE + "-svc-shop-podinfo-canary-@kubernetesgateway", "shop", "podinfo-canary")).isFalse();
        assertThat(TraefikQueries.isBackend(ROUTE + "-svc-shop-podinfo-canary-1@file", "shop", "podinfo-canary")).isFalse();
    }

    @Test
    void twoTraefikBackendsOfOneCanaryAddTheirRequestsButTheirRateIsAskedAlone() {
        String one = ROUTE + "-svc-shop-podinfo-canary-0@kubernetesgateway";
        String two = ROUTE + "-svc-shop-podinfo-canary-1@kubernetesgateway";
        answers = query -> query.startsWith("sum by (service)") || query.startsWith("100 - 100") && query.contains("offset")
                ? traefik(one, 30) + "," + traefik(two, 12) : "{\"metric\":{},\"value\":[1,\"99.5\"]}";
        Rollout rollout = rollout("shop", "podinfo", RoutingProvider.GatewayAPI, "2026-12-04T02:00:00Z");
        rollout.getSpec().getAnalysis().setMetrics(List.of(check(BuiltinQueries.SUCCESS_RATE, 99.0, null)));

        CheckResult result = batched().run(rollout, "rev1", none());

        assertThat(values(result)).isEqualTo(Map.of(Analysis.REQUESTS, 42.0, BuiltinQueries.SUCCESS_RATE, 99.5));
    }

    private static String istio(String namespace, String workload, String revision, double value) {
        return "{\"metric\":{\"destination_workload_namespace\":\"" + namespace + "\",\"destination_workload\":\"" + workload
                + "\",\"destination_canonical_revision\":\"" + revision + "\"},\"value\":[1796353200,\"" + value + "\"]}";
    }

    private static String traefik(String service, double value) {
        return "{\"metric\":{\"service\":\"" + service + "\"},\"value\":[1796353200,\"" + value + "\"]}";
    }

    private static TemplateLookup none() {
        return TemplateLookup.of(List.of());
    }

    private static Map<String, Double> values(CheckResult result) {
        Map<String, Double> values = new java.util.HashMap<>();
        for (MetricStatus metric : result.metrics()) {
            values.put(metric.getName(), metric.getValue());
        }
        return values;
    }

    private static MetricCheck check(String name, Double min, Double max) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        check.setThresholdRange(new ThresholdRange(min, max));
        return check;
    }

    private static Rollout rollout(String namespace, String name, RoutingProvider provider, String releaseStart) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
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
}
