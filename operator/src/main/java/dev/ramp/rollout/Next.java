package dev.ramp.rollout;

import java.time.Duration;
import java.util.Optional;

/** What a phase handler wants next: to be called again after a delay, or only when something changes. */
public record Next(Optional<Duration> after) {

    public static Next after(Duration delay) {
        return new Next(Optional.of(delay.isNegative() || delay.isZero() ? Duration.ofMillis(100) : delay));
    }

    /** Nothing to do until the Rollout or one of its Deployments changes. */
    public static Next onChange() {
        return new Next(Optional.empty());
    }
}
