package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import dev.ramp.api.Verdict;
import dev.ramp.kube.References;
import dev.ramp.testing.LoopbackEgress;
import dev.ramp.testing.TestPrometheus;
import dev.ramp.testing.TraefikTelemetry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A GatewayAPI release judged on Traefik-shaped series in a real Prometheus (Debian's package,
 * scraping every second): the canary Service's counters hold a bad previous release's requests,
 * and the primary and a Service of the same name in another namespace fail their requests, yet
 * the minimum sample, the metrics and the failing evidence count only this release's requests to
 * the canary Service.
 */
class TraefikMetricsTest {

    private static final String ROUTE = "httproute-shop-podinfo-gw-shop-public-ep-web-0-428e91f934a11bb28798";
    private static final String CANARY = ROUTE + "-svc-shop-podinfo-canary-1@kubernetesgateway";
    private static final String PRIMARY = ROUTE + "-svc-shop-podinfo-primary-0@kubernetesgateway";
    private static final String OTHER_NAMESPACE = "httproute-team-shop-podinfo-gw-team-shop-public-ep-web-0-0123456789abcdef0123"
            + "-svc-team-shop-podinfo-canary-1@kubernetesgateway";

    private TraefikTelemetry traefik;
    private TestPrometheus prometheus;
    private Analysis analysis;

    @BeforeEach
    void traefikScrapedByPrometheus() throws Exception {
        traefik = new TraefikTelemetry();
        prometheus = new TestPrometheus(traefik.target());
        analysis = new Analysis(new Providers(null, prometheus.address(), LoopbackEgress.policy()),
                new AnalysisMetrics(new SimpleMeterRegistry()), References.SAME_NAMESPACE, GatewayApiImplementation.traefik(),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        prometheus.close();
        traefik.close();
    }

    @Test
    void aReleaseIsJudgedOnItsOwnRequestsToTheCanaryServiceOnly() {
        // The previous release's canary, rolled back: 100 of its 600 requests failed, slowly.
        traefik.served(CANARY, 200, 500, 0.8);
        traefik.served(CANARY, 503, 100, 0.8);
        traefik.served(PRIMARY, 500, 1000, 2);
        traefik.served(OTHER_NAMESPACE, 500, 1000, 2);
        Rollout rollout = rollout(startAfterScraped(
                "sum(traefik_service_requests_total{service=\"" + CANARY + "\"} @ %s) == 600"));

        traefik.served(CANARY, 200, 10, 0.04);
        CheckResult early = judged(rollout, r -> requests(r) == 10);
        assertThat(early.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(early.failures()).contains("canary-requests: 10 of this release's requests to Service shop/podinfo-canary"
                + " in the last 30s, fewer than analysis.minRequests 20");

        traefik.served(CANARY, 200, 30, 0.04);
        CheckResult passed = judged(rollout, r -> requests(r) == 40);
        assertThat(passed.verdict()).as(passed.failures()).isEqualTo(Verdict.Passed);
        assertThat(value(passed, BuiltinQueries.SUCCESS_RATE)).isEqualTo(100.0);
        assertThat(value(passed, BuiltinQueries.DURATION)).isBetween(25.0, 50.0);

        traefik.served(CANARY, 500, 5, 0.04);
        CheckResult failed = judged(rollout, r -> requests(r) == 45);
        assertThat(failed.verdict()).isEqualTo(Verdict.Failed);
        assertThat(failed.failedMetric()).hasValueSatisfying(m -> assertThat(m.getMessage())
                .isEqualTo("88.889 is below the minimum 99"));
        // status.failingEvidence: this release's counters, not the previous release's 100 errors.
        assertThat(failed.evidence().getRequests()).isEqualTo(45.0);
        assertThat(failed.evidence().getErrors()).isEqualTo(5.0);
    }

    @Test
    void aCanaryWhoseFirstRequestsFailIsFailedBeforeTheSampleIsFull() {
        traefik.served(CANARY, 200, 500, 0.04);
        Rollout rollout = rollout(startAfterScraped(
                "sum(traefik_service_requests_total{service=\"" + CANARY + "\"} @ %s) == 500"));

        // A new 5xx series: it is born within the window and counts from zero.
        traefik.served(CANARY, 200, 4, 0.04);
        traefik.served(CANARY, 503, 1, 0.04);
        CheckResult result = judged(rollout, r -> requests(r) == 5);

        assertThat(result.verdict()).isEqualTo(Verdict.Failed);
        assertThat(result.failedMetric()).hasValueSatisfying(m -> assertThat(m.getMessage())
                .isEqualTo("80 is below the minimum 99: 1 of the first 5 requests failed, so over 20 requests"
                        + " (analysis.minRequests) the rate is at most 95 even if every other one succeeds"));
    }

    @Test
    void aCompareMetricReadsTheCanaryAndThePrimaryBackendsPointByPoint() throws Exception {
        var load = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            load.scheduleAtFixedRate(() -> {
                traefik.served(CANARY, 200, 20, 0.8);
                traefik.served(PRIMARY, 200, 20, 0.04);
                traefik.served(OTHER_NAMESPACE, 200, 20, 0.04);
            }, 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
            Rollout rollout = rollout(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            MetricCheck duration = new MetricCheck();
            duration.setName(BuiltinQueries.DURATION);
            dev.ramp.api.CompareSpec compare = new dev.ramp.api.CompareSpec();
            compare.setDirection(dev.ramp.api.Direction.Increase);
            compare.setCritical(true);
            duration.setCompare(compare);
            rollout.getSpec().getAnalysis().setMetrics(List.of(duration));
            rollout.getSpec().getAnalysis().setMinRequests(0);
            rollout.getSpec().getAnalysis().setInterval("1s");
            rollout.getStatus().setLastPromotedRevision("7f6d5c4b3");

            CheckResult judged = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                    .until(() -> analysis.run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of())), r -> r.verdict() != Verdict.Inconclusive);

            assertThat(judged.verdict()).as(judged.failures()).isEqualTo(Verdict.Failed);
            dev.ramp.api.MetricComparison c = judged.metrics().stream().filter(m -> m.getName().equals(BuiltinQueries.DURATION))
                    .findFirst().orElseThrow().getComparison();
            assertThat(c.getClassification()).isEqualTo(dev.ramp.api.Classification.High);
            assertThat(c.getCanaryPoints()).isGreaterThanOrEqualTo(10);
            assertThat(c.getComparisonPoints()).isGreaterThanOrEqualTo(10);
            // Each side's mean latency per step in milliseconds (the judge's point of request-duration),
            // from its own backend only: 800 and 40 ms.
            assertThat(c.getCanaryMedian()).isCloseTo(800.0, org.assertj.core.data.Offset.offset(1.0));
            assertThat(c.getComparisonMedian()).isCloseTo(40.0, org.assertj.core.data.Offset.offset(1.0));
        } finally {
            load.shutdownNow();
        }
    }

    /**
     * A release start, to the second as status keeps it, at which Prometheus already holds the
     * counters {@code query} (with %s for the instant) checks: the previous release's requests.
     */
    private String startAfterScraped(String query) {
        AtomicReference<Instant> start = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Instant second = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            start.set(second);
            return prometheus.hasData(query.formatted(second.getEpochSecond()));
        });
        return start.get().toString();
    }

    private CheckResult judged(Rollout rollout, java.util.function.Predicate<CheckResult> when) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> analysis.run(rollout, "5d8c7f9b6", TemplateLookup.of(List.of())), when::test);
    }

    private static double requests(CheckResult result) {
        Double v = value(result, Analysis.REQUESTS);
        return v == null ? -1 : v;
    }

    private static Double value(CheckResult result, String metric) {
        return result.metrics().stream().filter(m -> m.getName().equals(metric)).findFirst().map(MetricStatus::getValue).orElse(null);
    }

    private static Rollout rollout(String releaseStart) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("shop").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("podinfo"));
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        service.setProvider(RoutingProvider.GatewayAPI);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
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
