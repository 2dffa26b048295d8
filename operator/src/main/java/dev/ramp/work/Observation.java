package dev.ramp.work;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a question to the outside world answers in this pass: ready, with its value, or pending,
 * with how long to wait at most before looking again (the answer's arrival normally wakes the
 * asker sooner). Pending is an answer like any other, never an exception: a decision that gets it
 * holds, changing nothing.
 */
public final class Observation<T> {

    private final T value;
    private final Duration lookAgain;

    private Observation(T value, Duration lookAgain) {
        this.value = value;
        this.lookAgain = lookAgain;
    }

    public static <T> Observation<T> ready(T value) {
        return new Observation<>(Objects.requireNonNull(value), null);
    }

    /** Not answered yet; look again after {@code lookAgain} at the latest. */
    public static <T> Observation<T> pending(Duration lookAgain) {
        return new Observation<>(null, Objects.requireNonNull(lookAgain));
    }

    public boolean pending() {
        return value == null;
    }

    /** The answer; only when not {@link #pending()}. */
    public T value() {
        if (value == null) {
            throw new IllegalStateException("pending: no value yet");
        }
        return value;
    }

    /** When a pending answer is looked at again at the latest. */
    public Optional<Duration> lookAgain() {
        return Optional.ofNullable(lookAgain);
    }

    public <U> Observation<U> map(Function<T, U> f) {
        return value == null ? pending(lookAgain) : ready(f.apply(value));
    }

    @Override
    public String toString() {
        return value == null ? "pending (look again in " + lookAgain + ")" : "ready: " + value;
    }
}
