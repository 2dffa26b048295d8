package dev.ramp.analysis.judge;

/**
 * How far the canary may move from its baseline before a significant difference counts against
 * it: a {@code tolerance} relative to the baseline's median (0.1 = 10%) and a {@code minEffect} in
 * the metric's own unit, each optional; the allowance is the larger of the two. A relative
 * tolerance alone allows nothing on a baseline whose median is 0 (an error rate with no errors),
 * which is what the absolute minimum is for.
 */
public record AllowedEffect(Double tolerance, Double minEffect) {

    /** No allowance: any significant difference in the bad direction counts. */
    public static final AllowedEffect NONE = new AllowedEffect(null, null);

    public AllowedEffect {
        if (tolerance != null && !(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be a non-negative fraction, was " + tolerance);
        }
        if (minEffect != null && !(minEffect >= 0)) {
            throw new IllegalArgumentException("minEffect must be non-negative, was " + minEffect);
        }
    }

    public static AllowedEffect relative(double tolerance) {
        return new AllowedEffect(tolerance, null);
    }

    public static AllowedEffect absolute(double minEffect) {
        return new AllowedEffect(null, minEffect);
    }

    /** The largest shift allowed on a baseline of this median, in the metric's unit. */
    public double allowed(double baselineMedian) {
        double relative = tolerance == null ? 0 : tolerance * Math.abs(baselineMedian);
        return Math.max(relative, minEffect == null ? 0 : minEffect);
    }
}
