package dev.ramp.analysis;

import dev.ramp.api.MetricStatus;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;

/**
 * One metric check's result: its status as users see it, why it did not pass (null when it
 * passed), and whether that failure is already certain below the minimum sample: so many of the
 * canary's first requests failed that the metric would still be out of range had every request up
 * to {@code minRequests} succeeded.
 */
public record MetricOutcome(MetricStatus status, CheckFailure failure, boolean certain) {

    public MetricOutcome(MetricStatus status, CheckFailure failure) {
        this(status, failure, false);
    }

    static MetricOutcome passed(String metric, double value, ThresholdRange range) {
        return new MetricOutcome(new MetricStatus(metric, value, range, Verdict.Passed, "within range"), null);
    }

    static MetricOutcome failed(String metric, Double value, ThresholdRange range, CheckFailure failure, String message) {
        return new MetricOutcome(new MetricStatus(metric, value, range, failure.verdict(), message), failure);
    }

    /** A value out of range that the rest of the minimum sample could not bring back in range. */
    static MetricOutcome certainlyOutOfRange(String metric, double value, ThresholdRange range, String message) {
        return new MetricOutcome(new MetricStatus(metric, value, range, Verdict.Failed, message), CheckFailure.OUT_OF_RANGE, true);
    }

    public boolean passed() {
        return failure == null;
    }

    public Verdict verdict() {
        return failure == null ? Verdict.Passed : failure.verdict();
    }
}
