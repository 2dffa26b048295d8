package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricCheck;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which queries the built-in metrics send for each data plane, at a fixed instant, to a
 * Prometheus stand-in on 127.0.0.1 that records them: Istio's by revision; Traefik's by the
 * canary's backend Service, counting from the release's start; none, and a condition that says
 * what to do, on a Gateway API implementation without presets.
 */
class DataPlaneQueriesTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final String TRAEFIK_CANARY = "service=~\"(httproute|grpcroute)-shop-.+-[0-9a-f]{20}-svc-shop-podinfo-canary-[0-9]+"
            + "@kubernetesgateway\"";

    private HttpServer prometheus;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile String answer = "[]";
    private String address;

    @BeforeEach
    void prometheusOnLoopback() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.createContext("/api/v1/query", exchange -> {
            String query = exchange.getRequestURI().getRawQuery().substring("query=".length());
            queries.add(URLDecoder.decode(query, StandardCharsets.UTF_8));
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + answer + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        prometheus.start();
        address = "http://127.0.0.1:" + prometheus.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        prometheus.stop(0);
    }

    private Analysis analysis(String gatewayApi) {
        return new Analysis(new Providers(null, address, LoopbackEgress.policy()), new AnalysisMetrics(new SimpleMeterRegistry()),
                References.SAME_NAMESPACE, new GatewayApiImplementation(gatewayApi), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void onTraefikTheSampleCountsTheCanaryServiceSinceTheReleaseStartedWhenThatIsWithinTheWindow() {
        answer = vector(8);
        // Started 10 s ago, the window is 30 s: the 20 s before belong to the previous release.
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, "2026-12-03T09:59:50Z", List.of());

        CheckResult result = analysis("traefik").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.failures()).isEqualTo("canary-requests: 8 of this release's requests to Service shop/podinfo-canary"
                + " in the last 30s, fewer than analysis.minRequests 20");
        String total = "traefik_service_requests_total{" + TRAEFIK_CANARY + "}";
        assertThat(queries).containsExactly("sum(((" + total + " - " + total + " @ 1796291990.000 >= 0) or " + total + "))");
    }

    @Test
    void onTraefikALongRunningReleaseIsCountedOverTheWindowOnly() {
        answer = vector(25);
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, "2026-12-03T09:50:00Z", List.of());

        CheckResult result = analysis("traefik").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Passed);
        assertThat(queries).singleElement().satisfies(q -> assertThat(q).contains(" @ 1796291970.000 >= 0)"));
    }

    @Test
    void onTraefikTheMetricsReadTheCanaryServiceInSecondsAndAFailedRoundKeepsThisReleasesCounters() {
        answer = vector(40);
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, "2026-12-03T09:50:00Z",
                List.of(check(BuiltinQueries.SUCCESS_RATE, 30.0, null), check(BuiltinQueries.DURATION, null, 30.0)));

        CheckResult result = analysis("traefik").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        // 40 is a success rate above 30 and a p99 (40 ms) above 30: the duration fails the round.
        assertThat(result.verdict()).isEqualTo(Verdict.Failed);
        assertThat(result.failedMetric()).hasValueSatisfying(m -> assertThat(m.getName()).isEqualTo(BuiltinQueries.DURATION));
        String errors = "traefik_service_requests_total{" + TRAEFIK_CANARY + ",code=~\"5..\"}";
        String buckets = "traefik_service_request_duration_seconds_bucket{" + TRAEFIK_CANARY + "}";
        String total = "traefik_service_requests_total{" + TRAEFIK_CANARY + "}";
        assertThat(queries).contains(
                "100 - 100 * ((sum(((" + errors + " - " + errors + " @ 1796291970.000 >= 0) or " + errors + "))) or vector(0))"
                        + " / (sum(((" + total + " - " + total + " @ 1796291970.000 >= 0) or " + total + ")))",
                "1000 * histogram_quantile(0.99, sum by (le) (((" + buckets + " - " + buckets + " @ 1796291970.000 >= 0) or "
                        + buckets + ")))",
                // status.failingEvidence: the counters since the release began, not over the window.
                "sum(((" + total + " - " + total + " @ 1796291400.000 >= 0) or " + total + "))",
                "sum(((" + errors + " - " + errors + " @ 1796291400.000 >= 0) or " + errors + "))");
        assertThat(result.evidence().getRequests()).isEqualTo(40.0);
    }

    @Test
    void onTraefikNoDataNamesTheCanaryServiceAndWhereItsSeriesComeFrom() {
        answer = vector(25);
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, "2026-12-03T09:50:00Z", List.of(check(BuiltinQueries.DURATION, null, 500.0)));
        // The sample finds 25 requests, the histogram nothing (say, another implementation serves the Gateway).
        prometheus.removeContext("/api/v1/query");
        prometheus.createContext("/api/v1/query", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring("query=".length()), StandardCharsets.UTF_8);
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                    + (query.contains("histogram_quantile") ? "[]" : answer) + "}}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });

        CheckResult result = analysis("traefik").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.failures()).isEqualTo("request-duration: no data: the query returned nothing for the canary's Service"
                + " shop/podinfo-canary in Traefik's metrics (ramp.metrics.gateway-api is traefik: is the Gateway served by"
                + " Traefik, with --metrics.prometheus, and scraped by this Prometheus?)");
    }

    @Test
    void withoutAReleaseStartTraefikCountsOverTheWindowAlone() {
        answer = vector(25);
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, null, List.of());

        analysis("traefik").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(queries).singleElement().satisfies(q -> assertThat(q).contains(" @ 1796291970.000 >= 0)"));
    }

    @Test
    void theSettingNamesTheImplementationInAnyCaseAndDefaultsToTraefik() {
        assertThat(new GatewayApiImplementation(" Traefik ").presets()).containsSame(TraefikQueries.INSTANCE);
        assertThat(new GatewayApiImplementation("").presets()).containsSame(TraefikQueries.INSTANCE);
        assertThat(new GatewayApiImplementation("ISTIO").presets()).containsSame(IstioQueries.INSTANCE);
        assertThat(new GatewayApiImplementation("envoy-gateway").presets()).isEmpty();
    }

    @Test
    void theTraefikSelectorMatchesTheCanaryBackendOfAnyRouteOfTheNamespaceAndNoOtherService() {
        String quoted = QueryTemplate.render("\"" + TraefikQueries.CANARY_SERVICE + "\"",
                java.util.Map.of("namespace", "shop", "canaryService", "podinfo-canary"));
        Pattern selector = Pattern.compile(quoted.substring(1, quoted.length() - 1));
        String route = "httproute-shop-podinfo-gw-shop-public-ep-web-0-428e91f934a11bb28798";

        // As Traefik v3.7.13 names the backend (seen on e2e/traefik/smoke.sh), whatever the rule, Gateway or index.
        assertThat(selector.matcher(route + "-svc-shop-podinfo-canary-1@kubernetesgateway").matches()).isTrue();
        assertThat(selector.matcher("grpcroute-shop-api-gw-infra-edge-ep-grpc-3-0123456789abcdef0123-svc-shop-podinfo-canary-0"
                + "@kubernetesgateway").matches()).isTrue();
        assertThat(selector.matcher(route + "-svc-shop-podinfo-primary-0@kubernetesgateway").matches()).isFalse();
        // The same Service name in another namespace, through this namespace's route or its own.
        assertThat(selector.matcher(route + "-svc-team-shop-podinfo-canary-1@kubernetesgateway").matches()).isFalse();
        assertThat(selector.matcher(route + "-svc-svc-shop-podinfo-canary-1@kubernetesgateway").matches()).isFalse();
        assertThat(selector.matcher("httproute-team-shop-podinfo-gw-shop-public-ep-web-0-428e91f934a11bb28798-svc-team-shop"
                + "-podinfo-canary-1@kubernetesgateway").matches()).isFalse();
        assertThat(selector.matcher(route + "-svc-shop-podinfo-canary-old-1@kubernetesgateway").matches()).isFalse();
        assertThat(selector.matcher(route + "-wrr@kubernetesgateway").matches()).isFalse();
    }

    @Test
    void anImplementationWithoutPresetsNamesTheMetricAndTheSettingAndAsksNothing() {
        answer = vector(100);
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, "2026-12-03T09:50:00Z",
                List.of(check(BuiltinQueries.SUCCESS_RATE, 99.0, null)));

        CheckResult result = analysis("envoy-gateway").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo("InvalidMetric");
        assertThat(result.failures()).contains("request-success-rate: a built-in metric, and the operator's Gateway API"
                + " implementation, envoy-gateway (ramp.metrics.gateway-api), has no built-in metrics (traefik and istio have):"
                + " give spec.analysis.metrics[request-success-rate] a templateRef to a MetricTemplate")
                .contains("canary-requests: the minimum sample (analysis.minRequests) counts the canary's requests in the data"
                        + " plane's telemetry, and the operator's Gateway API implementation, envoy-gateway")
                .contains("set analysis.minRequests to 0 and judge the canary with MetricTemplates");
        assertThat(queries).isEmpty();
    }

    @Test
    void withoutPresetsTemplatesAloneJudgeTheCanary() {
        answer = vector(0.5);
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, "2026-12-03T09:50:00Z", List.of(templated("error-rate")));
        rollout.getSpec().getAnalysis().setMinRequests(0);

        CheckResult result = analysis("envoy-gateway").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        // The template is missing here: what counts is that nothing asks for a built-in query.
        assertThat(result.reason()).isEqualTo("TemplateNotFound");
        assertThat(queries).isEmpty();
    }

    @Test
    void onIstioInGatewayApiModeTheBuiltInsAreIstiosByRevision() {
        answer = vector(25);
        Rollout rollout = rollout(RoutingProvider.GatewayAPI, "2026-12-03T09:50:00Z", List.of());

        analysis("istio").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(queries).singleElement().satisfies(q -> assertThat(q)
                .contains("istio_requests_total{reporter=\"destination\"").contains("destination_canonical_revision=\"5d8c7f9b6\""));
    }

    @Test
    void anIstioRolloutReadsIstioWhateverTheGatewayApiSetting() {
        answer = vector(25);
        Rollout rollout = rollout(RoutingProvider.Istio, "2026-12-03T09:50:00Z", List.of(check(BuiltinQueries.SUCCESS_RATE, 99.0, null)));

        CheckResult result = analysis("envoy-gateway").run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of()));

        assertThat(result.verdict()).isEqualTo(Verdict.Failed);
        assertThat(queries).allSatisfy(q -> assertThat(q).contains("istio_requests_total").doesNotContain("@"));
    }

    @Test
    void templatesMayCountFromTheReleaseStartAndNameTheCanaryService() {
        assertThat(QueryTemplate.render("sum(x{s=\"{{ canaryService }}\"} - x @ {{ windowStart }}) > {{ releaseStart }}",
                java.util.Map.of("canaryService", "podinfo-canary", "windowStart", "1796291970.000", "releaseStart", "1796291400.000")))
                .isEqualTo("sum(x{s=\"podinfo-canary\"} - x @ 1796291970.000) > 1796291400.000");
    }

    private static String vector(double value) {
        return "[{\"metric\":{},\"value\":[1700000000,\"" + value + "\"]}]";
    }

    private static MetricCheck check(String name, Double min, Double max) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        check.setThresholdRange(new ThresholdRange(min, max));
        return check;
    }

    private static MetricCheck templated(String name) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        check.setTemplateRef(new ObjectRef(name, null));
        check.setThresholdRange(new ThresholdRange(null, 1.0));
        return check;
    }

    private static Rollout rollout(RoutingProvider provider, String releaseStart, List<MetricCheck> metrics) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("shop").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("podinfo"));
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        service.setProvider(provider);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setMetrics(metrics);
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        RolloutStatus status = new RolloutStatus();
        status.setReleaseStartTime(releaseStart);
        rollout.setStatus(status);
        return rollout;
    }
}
