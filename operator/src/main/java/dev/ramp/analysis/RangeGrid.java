package dev.ramp.analysis;

import dev.ramp.api.JudgeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one grid every range query of the judge is evaluated on: the multiples of its step since the
 * Unix epoch. A range query's points fall on the grid whatever its start, so a query shared by many
 * canaries ({@link QueryBatches#range}) and a canary's own give the same points at the same instants,
 * and a canary keeps from the shared one the points at or after its own start. The first point is the
 * first multiple at or after the start (never before it: the point at an instant is the step before
 * it, and a point before the release would read the previous release's traffic on Traefik), and no
 * more than {@value JudgeSpec#MAX_POINTS} steps before the end.
 */
final class RangeGrid {

    private RangeGrid() {
    }

    /** The first instant of the grid of {@code step} at or after {@code at}. */
    static Instant alignUp(Instant at, Duration step) {
        long millis = step.toMillis();
        if (millis <= 0) {
            throw new IllegalArgumentException("step must be at least a millisecond, was " + step);
        }
        return Instant.ofEpochMilli(-Math.floorDiv(-at.toEpochMilli(), millis) * millis);
    }

    /**
     * The first point of a range query from {@code start} to {@code end}: the grid's first instant at
     * or after {@code start} and at most {@value JudgeSpec#MAX_POINTS} points before {@code end}; empty
     * when the grid has no instant between them (a release younger than a step), so nothing is asked.
     */
    static Optional<Instant> first(Instant start, Instant end, Duration step) {
        Instant earliest = alignUp(end.minus(step.multipliedBy(JudgeSpec.MAX_POINTS - 1)), step);
        Instant first = alignUp(start, step);
        first = first.isBefore(earliest) ? earliest : first;
        return first.isAfter(end) ? Optional.empty() : Optional.of(first);
    }
}
