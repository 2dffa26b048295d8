package dev.ramp.analysis;

import dev.ramp.api.Durations;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A canary's built-in metric, or one side's points of it for the judge, read from the batched
 * query of its data plane's presets, against the operator's own Prometheus only
 * ({@link Providers#defaultProvider()}): a MetricTemplate's query, whatever its address, is always
 * its check's own. Says when the batch cannot answer for this canary, so the check asks alone as before.
 */
final class BuiltinBatches {

    private final QueryBatches batches;
    private final MetricQueries queries;
    private final Providers providers;

    BuiltinBatches(QueryBatches batches, MetricQueries queries, Providers providers) {
        this.batches = batches;
        this.queries = queries;
        this.providers = providers;
    }

    /**
     * The built-in {@code metric} (or {@link Analysis#REQUESTS}) of the canary running {@code
     * revision} over {@code window}, for a check due at {@code due}: empty Optional when not batched
     * (the caller asks alone), an empty value when the canary is not in the batch's answer (no data).
     */
    Optional<OptionalDouble> value(Rollout rollout, String revision, String metric, Duration window, Instant due)
            throws MetricQueryException {
        if (batches == null || !batches.enabled()) {
            return Optional.empty();
        }
        BuiltinQueries builtin = queries.presets(rollout).orElse(null);
        Optional<String> batched = builtin == null ? Optional.empty() : builtin.batched(metric);
        Optional<Instant> releaseStart = MetricQueries.releaseStart(rollout);
        if (batched.isEmpty() || !builtin.batches(releaseStart, due, window)) {
            return Optional.empty();
        }
        String query = QueryTemplate.render(batched.get(), Map.of("interval", Durations.promRange(window)));
        BatchAnswer answer = batches.answer(providers.defaultProvider(), query, builtin.batchLabels(), due, previousCheck(rollout));
        if (!builtin.batches(releaseStart, answer.at(), window)) {
            return Optional.empty();
        }
        return builtin.valueIn(answer, metric, RolloutNames.of(rollout), revision);
    }

    /**
     * The judge's points of the built-in {@code metric} on one {@code side} of the canary, from
     * {@code start} at {@code step}, for a check due at {@code due}: the side's series in the batched
     * range query of its metric, step and side ({@link BuiltinQueries#batchedPoint}), the points at
     * or after the side's own first one ({@link RangeAnswer#pointsOf}); empty Optional when not
     * batched (the caller asks alone).
     */
    Optional<double[]> points(Rollout rollout, MetricQueries.Side side, String metric, Duration step, Instant start, Instant due)
            throws MetricQueryException {
        if (batches == null || !batches.enabled()) {
            return Optional.empty();
        }
        BuiltinQueries builtin = queries.presets(rollout).orElse(null);
        Optional<String> batched = builtin == null ? Optional.empty() : builtin.batchedPoint(metric, side.name());
        if (batched.isEmpty()) {
            return Optional.empty();
        }
        String query = QueryTemplate.render(batched.get(), Map.of("interval", Durations.promRange(step)));
        RangeAnswer answer = batches.range(providers.defaultProvider(), query, builtin.batchLabels(), step, start, due,
                previousCheck(rollout));
        return builtin.seriesIn(answer, RolloutNames.of(rollout).namespace(), side.workload(), side.workloadService(), side.revision())
                .map(series -> answer.pointsOf(series, start));
    }

    /** When the step's previous check was recorded; empty before the first. */
    private static Optional<Instant> previousCheck(Rollout rollout) {
        var status = rollout.getStatus();
        return status == null || status.getCurrentStep() == null ? Optional.empty()
                : Timestamps.parse(status.getCurrentStep().getLastCheckAt());
    }
}
