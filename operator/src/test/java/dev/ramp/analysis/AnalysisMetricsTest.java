package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What Prometheus scrapes of the metric checks' latency and failures, as the operator's /q/metrics shows them. */
class AnalysisMetricsTest {

    private final MockClock clock = new MockClock();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
            new CollectorRegistry(), clock);
    private final AnalysisMetrics metrics = new AnalysisMetrics(registry);
    private final Rollout rollout = rollout("shop", "podinfo");

    @Test
    void eachQueryIsTimedPerRolloutAndMetric() {
        var sample = metrics.start();
        clock.add(250, TimeUnit.MILLISECONDS);
        metrics.queried(sample, rollout, "request-success-rate");

        assertThat(registry.scrape())
                .contains("ramp_analysis_query_duration_seconds_count{metric=\"request-success-rate\",name=\"podinfo\",namespace=\"shop\",} 1.0")
                .contains("ramp_analysis_query_duration_seconds_sum{metric=\"request-success-rate\",name=\"podinfo\",namespace=\"shop\",} 0.25");
    }

    @Test
    void failuresAreCountedByReason() {
        metrics.failed(rollout, "error-budget", CheckFailure.TEMPLATE_NOT_FOUND);
        metrics.failed(rollout, "error-budget", CheckFailure.TEMPLATE_NOT_FOUND);
        metrics.failed(rollout, "request-success-rate", CheckFailure.NO_DATA);

        assertThat(registry.scrape())
                .contains("ramp_analysis_query_failures_total{metric=\"error-budget\",name=\"podinfo\",namespace=\"shop\","
                        + "reason=\"TemplateNotFound\",} 2.0")
                .contains("ramp_analysis_query_failures_total{metric=\"request-success-rate\",name=\"podinfo\",namespace=\"shop\","
                        + "reason=\"NoData\",} 1.0");
    }

    @Test
    void queriesSentAreCountedBatchedOrSingle() {
        metrics.sent(AnalysisMetrics.BATCHED);
        metrics.sent(AnalysisMetrics.SINGLE);
        metrics.sent(AnalysisMetrics.SINGLE);

        assertThat(registry.scrape())
                .contains("ramp_analysis_queries_total{kind=\"batched\",} 1.0")
                .contains("ramp_analysis_queries_total{kind=\"single\",} 2.0");
    }

    private static Rollout rollout(String namespace, String name) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        return rollout;
    }
}
