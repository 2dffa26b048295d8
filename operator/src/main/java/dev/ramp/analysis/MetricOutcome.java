package dev.ramp.analysis;

import dev.ramp.api.MetricStatus;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;

/** One metric check's result: its status as users see it, and why it did not pass, or null when it passed. */
public record MetricOutcome(MetricStatus status, CheckFailure failure) {

    static MetricOutcome passed(String metric, double value, ThresholdRange range) {
        return new MetricOutcome(new MetricStatus(metric, value, range, Verdict.Passed, "within range"), null);
    }

    static MetricOutcome failed(String metric, Double value, ThresholdRange range, CheckFailure failure, String message) {
        return new MetricOutcome(new MetricStatus(metric, value, range, failure.verdict(), message), failure);
    }

    public boolean passed() {
        return failure == null;
    }

    public Verdict verdict() {
        return failure == null ? Verdict.Passed : failure.verdict();
    }
}
