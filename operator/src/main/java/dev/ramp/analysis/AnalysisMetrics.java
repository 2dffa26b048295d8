package dev.ramp.analysis;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The operator's own metrics about its metric queries: latency and failures. */
public class AnalysisMetrics {

    private final Timer latency;
    private final Counter failures;

    public AnalysisMetrics(MeterRegistry registry) {
        this.latency = Timer.builder("ramp_analysis_query_duration").description("Latency of metric queries")
                .register(registry);
        this.failures = Counter.builder("ramp_analysis_query_failures").description("Metric queries that gave no value")
                .register(registry);
    }

    void queried(Duration took) {
        latency.record(took);
    }

    void failed() {
        failures.increment();
    }
}
