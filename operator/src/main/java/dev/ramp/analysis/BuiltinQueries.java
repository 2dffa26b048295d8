package dev.ramp.analysis;

import dev.ramp.api.RolloutNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The built-in checks ({@value #SUCCESS_RATE}, {@value #DURATION}), the minimum sample and the
 * canary's counters a failed check is judged on, as queries on one data plane's telemetry:
 * {@link IstioQueries} or {@link TraefikQueries}, chosen per Rollout by {@link GatewayApiImplementation}.
 * Each query is a template rendered with the check's variables ({@link QueryTemplate}).
 */
public interface BuiltinQueries {

    String SUCCESS_RATE = "request-success-rate";
    String DURATION = "request-duration";

    /** The query of the built-in metric {@code metricName}; empty when it is not one. */
    Optional<String> query(String metricName);

    /**
     * The built-in metric {@code metricName} as one point of the judge's series: the metric over the
     * {@code {{ interval }}} (the step) before the point, for the pods of one side, {@code {{ workload }}}
     * running {@code {{ revision }}} behind {@code {{ workloadService }}}; empty when it is not one.
     */
    Optional<String> point(String metricName);

    /** The canary's requests within the window; absent when it has no series at all. */
    String requests();

    /**
     * The canary's request counters as they stand for this release (not a window's growth): what a
     * failed check was judged on, so that the next one counts only on more ({@code CanaryEvidence}).
     */
    String requestsSoFar();

    /** The canary's requests answered 5xx, counted as {@link #requestsSoFar()}. */
    String errorsSoFar();

    /**
     * What the request count counts, for messages: "requests to revision 5d8c7f9b6", "of this
     * release's requests to Service shop/podinfo-canary".
     */
    String counted(RolloutNames names, String revision);

    /**
     * The built-in metric {@code metricName} (or the minimum sample's count, {@link Analysis#REQUESTS})
     * for every canary at once, summed by {@link #batchLabels()} and rendered with {@code {{ interval }}}
     * alone (the window), so that one query per metric and window answers every canary that uses it
     * ({@link QueryBatches}); empty when it is not batched.
     */
    default Optional<String> batched(String metricName) {
        return Optional.empty();
    }

    /** The labels a batched query sums by: the key a canary's value is found under. */
    default List<String> batchLabels() {
        return List.of();
    }

    /**
     * Whether a batched answer evaluated at {@code at} over {@code window} counts what this canary's
     * own query would; when not, the canary is asked alone.
     */
    default boolean batches(Optional<Instant> releaseStart, Instant at, Duration window) {
        return false;
    }

    /**
     * The canary's value of {@code metricName} in a batched answer: empty Optional when the answer
     * cannot say (the canary is then asked alone), an empty value when the canary is not in it
     * (no data, as its own query would return nothing).
     */
    default Optional<OptionalDouble> valueIn(BatchAnswer answer, String metricName, RolloutNames names, String revision) {
        return Optional.empty();
    }

    /**
     * The judge's points of the built-in metric {@code metricName} ({@link #point}) for every
     * workload on the {@code side} ("canary", "primary" or "baseline") at once, summed by
     * {@link #batchLabels()} and rendered with {@code {{ interval }}} alone (the step), so that one
     * range query per metric, step and side answers every canary ({@link QueryBatches#range}); the
     * same text for two sides is one query. Empty when it is not batched.
     */
    default Optional<String> batchedPoint(String metricName, String side) {
        return Optional.empty();
    }

    /**
     * The series of one side's pods (in {@code namespace}, {@code workload} running {@code revision}
     * behind {@code workloadService}) in a batched range answer: empty Optional when the answer cannot
     * say (the side is then asked alone), an empty series when the side is not in it (no points, as
     * its own query would return none).
     */
    default Optional<Optional<RangeAnswer.Series>> seriesIn(RangeAnswer answer, String namespace, String workload,
            String workloadService, String revision) {
        return Optional.empty();
    }

    /** What a built-in metric found no data for, and where to look: "the canary's revision 5d8c7f9b6". */
    default String noData(RolloutNames names, String revision) {
        return "the canary's revision " + revision;
    }
}
