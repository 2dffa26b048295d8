package dev.ramp.analysis.judge;

import dev.ramp.api.Classification;

/**
 * One compared metric of a check, as the score counts it: its name, the judge's comparison, its
 * weight in the score (positive; 1 unless the check says otherwise) and whether it is critical
 * (High or Low fails the whole check, whatever the score).
 */
public record MetricJudgment(String metric, Comparison comparison, double weight, boolean critical) {

    public MetricJudgment {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("metric " + metric + ": weight must be a positive number, was " + weight);
        }
    }

    public Classification classification() {
        return comparison.classification();
    }

    /** Whether the metric counts against the canary: High or Low. */
    public boolean failed() {
        return classification() == Classification.High || classification() == Classification.Low;
    }

    /** The metric's line in an explanation, e.g. {@code request-duration (critical): canary median ...: High}. */
    public String describe() {
        return metric + (critical ? " (critical)" : "") + ": " + comparison.describe();
    }
}
