package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which way a compared metric is bad for the canary, against its baseline: a latency that
 * {@link #Increase}s, a success rate that {@link #Decrease}s, or a change {@link #Either} way. A
 * significant change the other way is no failure.
 */
public enum Direction {
    @JsonProperty("increase") Increase,
    @JsonProperty("decrease") Decrease,
    @JsonProperty("either") Either;

    /** Whether a canary higher than its baseline counts against it. */
    public boolean higherIsBad() {
        return this != Decrease;
    }

    /** Whether a canary lower than its baseline counts against it. */
    public boolean lowerIsBad() {
        return this != Increase;
    }
}
