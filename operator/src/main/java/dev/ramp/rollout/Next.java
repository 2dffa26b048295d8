package dev.ramp.rollout;

import dev.ramp.work.Observation;
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

    /** Whichever of {@code a} and {@code b} calls again sooner; only when something changes if neither has a delay. */
    public static Next soonest(Next a, Next b) {
        if (a.after().isEmpty()) {
            return b;
        }
        return b.after().isEmpty() || a.after().get().compareTo(b.after().get()) <= 0 ? a : b;
    }

    /** The hold for a pending {@code observation}: see {@link #whilePending}. */
    public static Next holding(Observation<?> observation) {
        return whilePending(observation).orElseThrow(() -> new IllegalArgumentException("not pending: " + observation));
    }

    /**
     * A hold while any of {@code observations} is pending: nothing decided, no status changed; the
     * answer's arrival wakes the Rollout, and the soonest deadline among them is the backstop.
     */
    public static Optional<Next> whilePending(Observation<?>... observations) {
        Optional<Duration> soonest = Optional.empty();
        for (Observation<?> observation : observations) {
            Optional<Duration> again = observation.lookAgain();
            if (again.isPresent() && (soonest.isEmpty() || again.get().compareTo(soonest.get()) < 0)) {
                soonest = again;
            }
        }
        return soonest.map(Next::after);
    }
}
