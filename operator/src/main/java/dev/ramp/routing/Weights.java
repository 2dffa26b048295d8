package dev.ramp.routing;

/** How traffic is split between the primary and the canary, in percent. */
public record Weights(int primary, int canary) {

    public static final Weights ALL_PRIMARY = new Weights(100, 0);

    public static Weights canary(int canaryWeight) {
        return new Weights(100 - canaryWeight, canaryWeight);
    }
}
