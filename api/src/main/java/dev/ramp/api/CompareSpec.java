package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A metric judged against a baseline instead of a fixed range: the canary's points against the
 * baseline's over the window, by the statistical judge (docs/judge.md). Which way is bad, how much
 * change is allowed, and how much the metric weighs in the check's score.
 */
public class CompareSpec {

    public static final double DEFAULT_WEIGHT = 1;

    @Required
    @JsonPropertyDescription("Which change of the canary against the baseline is bad: increase (a latency, an error rate), decrease (a success rate, a throughput) or either.")
    private Direction direction;

    @Min(0)
    @Max(10)
    @JsonPropertyDescription("The shift allowed before a significant difference counts, relative to the baseline's median: 0.1 = 10%. The larger of this and minEffect applies; neither means any significant shift in the bad direction counts.")
    private Double tolerance;

    @Min(0)
    @JsonPropertyDescription("The shift allowed before a significant difference counts, in the metric's own unit (e.g. 20 for 20 ms). Use it where the baseline may be 0 (an error rate), on which a relative tolerance allows nothing.")
    private Double minEffect;

    @JsonPropertyDescription("A critical metric classed High or Low fails the check whatever the score. Defaults to false.")
    private Boolean critical;

    @ValidationRule(value = "self > 0.0", message = "compare.weight must be positive")
    @Max(1000)
    @JsonPropertyDescription("The metric's weight in the check's score. Defaults to 1.")
    private Double weight;

    public Direction getDirection() {
        return direction;
    }

    public void setDirection(Direction direction) {
        this.direction = direction;
    }

    public Double getTolerance() {
        return tolerance;
    }

    public void setTolerance(Double tolerance) {
        this.tolerance = tolerance;
    }

    public Double getMinEffect() {
        return minEffect;
    }

    public void setMinEffect(Double minEffect) {
        this.minEffect = minEffect;
    }

    public Boolean getCritical() {
        return critical;
    }

    public void setCritical(Boolean critical) {
        this.critical = critical;
    }

    public Double getWeight() {
        return weight;
    }

    public void setWeight(Double weight) {
        this.weight = weight;
    }

    /** Whether {@code compare} makes its metric critical (false when unset). */
    public static boolean effectiveCritical(CompareSpec compare) {
        return compare != null && Boolean.TRUE.equals(compare.critical);
    }

    /** {@code compare.weight}, or its default. */
    public static double effectiveWeight(CompareSpec compare) {
        return compare == null || compare.weight == null ? DEFAULT_WEIGHT : compare.weight;
    }
}
