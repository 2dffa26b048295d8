package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Phase;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What Prometheus scrapes of a Rollout's metrics, in the exposition format of the operator's /q/metrics. */
class RolloutMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RolloutMetrics metrics = new RolloutMetrics(registry);

    @Test
    void weightAndPhaseFollowTheLastObservation() {
        metrics.observe("shop", "podinfo", Phase.Progressing, 10);
        metrics.observe("shop", "podinfo", Phase.Progressing, 30);

        String scrape = registry.scrape();
        assertThat(scrape).contains("# HELP ramp_rollout_weight Percent of traffic the canary receives")
                .contains("ramp_rollout_weight{name=\"podinfo\",namespace=\"shop\",} 30.0")
                .contains("ramp_rollout_phase{name=\"podinfo\",namespace=\"shop\",phase=\"Progressing\",} 1.0")
                .contains("ramp_rollout_phase{name=\"podinfo\",namespace=\"shop\",phase=\"Initialized\",} 0.0");

        metrics.observe("shop", "podinfo", Phase.Succeeded, null);
        assertThat(registry.scrape()).contains("ramp_rollout_weight{name=\"podinfo\",namespace=\"shop\",} 0.0")
                .contains("ramp_rollout_phase{name=\"podinfo\",namespace=\"shop\",phase=\"Progressing\",} 0.0")
                .contains("ramp_rollout_phase{name=\"podinfo\",namespace=\"shop\",phase=\"Succeeded\",} 1.0");
    }

    @Test
    void aFinishedReleaseRecordsItsDurationByOutcome() {
        metrics.finished("shop", "podinfo", "succeeded", Duration.ofSeconds(90));
        metrics.finished("shop", "podinfo", "failed", Duration.ofSeconds(12));

        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("ramp_rollout_duration_seconds_count{name=\"podinfo\",namespace=\"shop\",outcome=\"succeeded\",} 1.0")
                .contains("ramp_rollout_duration_seconds_sum{name=\"podinfo\",namespace=\"shop\",outcome=\"succeeded\",} 90.0")
                .contains("ramp_rollout_duration_seconds_sum{name=\"podinfo\",namespace=\"shop\",outcome=\"failed\",} 12.0");
    }
}
