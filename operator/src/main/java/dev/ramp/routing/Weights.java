package dev.ramp.routing;

/**
 * How traffic is split between the primary, the canary and, with {@code analysis.baseline}, the
 * baseline, in percent; the three add up to 100.
 */
public record Weights(int primary, int canary, int baseline) {

    public static final Weights ALL_PRIMARY = new Weights(100, 0, 0);

    /** A split between primary and canary alone. */
    public Weights(int primary, int canary) {
        this(primary, canary, 0);
    }

    /** The canary at {@code canaryWeight}, the primary the rest; no baseline. */
    public static Weights canary(int canaryWeight) {
        return new Weights(100 - canaryWeight, canaryWeight, 0);
    }

    /**
     * The canary and the baseline each at {@code weight} (at most 50), so that both are equally
     * loaded; the primary the rest, {@code 100 - 2 x weight}.
     */
    public static Weights withBaseline(int weight) {
        return new Weights(100 - 2 * weight, weight, weight);
    }
}
