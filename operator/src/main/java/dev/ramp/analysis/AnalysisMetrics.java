package dev.ramp.analysis;

import dev.ramp.api.Rollout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The operator's own metrics about its metric checks, per Rollout and metric:
 * {@code ramp_analysis_query_duration_seconds} (latency of each query sent to a provider) and
 * {@code ramp_analysis_query_failures_total} (checks that gave no value, by {@link CheckFailure#reason()});
 * and, for the operator as a whole, {@code ramp_analysis_queries_total} (queries sent to providers,
 * by {@code kind}: {@value #BATCHED} for every canary at once, {@value #SINGLE} for one check).
 */
public class AnalysisMetrics {

    static final String QUERY_DURATION = "ramp_analysis_query_duration";
    static final String QUERY_FAILURES = "ramp_analysis_query_failures";
    static final String QUERIES = "ramp_analysis_queries";
    /** A query answering every canary of a built-in metric, provider and window ({@link QueryBatches}). */
    static final String BATCHED = "batched";
    /** A query of one check. */
    static final String SINGLE = "single";

    private final MeterRegistry registry;

    public AnalysisMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    Timer.Sample start() {
        return Timer.start(registry);
    }

    void queried(Timer.Sample sample, Rollout rollout, String metric) {
        sample.stop(Timer.builder(QUERY_DURATION).description("Latency of the metric queries of Rollouts' checks")
                .tags(tags(rollout, metric)).register(registry));
    }

    void failed(Rollout rollout, String metric, CheckFailure failure) {
        Counter.builder(QUERY_FAILURES).description("Metric checks that gave no value: no data, query refused, "
                        + "provider unavailable, template missing or invalid")
                .tags(tags(rollout, metric).and("reason", failure.reason())).register(registry).increment();
    }

    void sent(String kind) {
        Counter.builder(QUERIES).description("Queries sent to metrics providers: batched (one for every canary using a built-in"
                        + " metric, provider and window) or single (one check's)")
                .tag("kind", kind).register(registry).increment();
    }

    private static Tags tags(Rollout rollout, String metric) {
        return Tags.of("namespace", rollout.getMetadata().getNamespace(), "name", rollout.getMetadata().getName(),
                "metric", metric);
    }
}
