package dev.ramp.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One batched range query's answer ({@link QueryBatches#range}): each series' points, keyed by the
 * values of the labels the query summed by (in their order; a missing label is ""), asked at
 * {@code at} (the range's end) from {@code first} (a point of the {@link RangeGrid}) at {@code step}.
 * A canary takes its series' points at or after its own start ({@link #pointsOf}), which are the
 * points its own range query ending at {@code at} would return.
 */
public record RangeAnswer(Instant at, Instant first, Duration step, Map<List<String>, Series> series) {

    public RangeAnswer {
        series = Map.copyOf(series);
    }

    /**
     * One series' points in time order: their instants in Unix milliseconds and their values, NaN
     * where Prometheus wrote something that is not a number (left out later, as from a canary's own
     * query).
     */
    public record Series(long[] times, double[] values) {
    }

    /** The series with these label values; empty when there is none. */
    Optional<Series> get(String... labelValues) {
        return Optional.ofNullable(series.get(List.of(labelValues)));
    }

    /**
     * The points of {@code series} (none: no points) that a range query from {@code start} to
     * {@link #at} returns: those at or after its first point ({@link RangeGrid#first}).
     */
    double[] pointsOf(Optional<Series> series, Instant start) {
        Optional<Instant> from = RangeGrid.first(start, at, step);
        if (series.isEmpty() || from.isEmpty()) {
            return new double[0];
        }
        long[] times = series.get().times();
        long since = from.get().toEpochMilli();
        int skip = 0;
        while (skip < times.length && times[skip] < since) {
            skip++;
        }
        return Arrays.copyOfRange(series.get().values(), skip, times.length);
    }
}
