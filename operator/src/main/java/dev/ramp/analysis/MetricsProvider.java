package dev.ramp.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A metrics backend: a query answered with one number (or none when it has no data), or, for the
 * statistical judge, evaluated at every {@code step} from {@code start} to {@code end}.
 */
public interface MetricsProvider {

    OptionalDouble query(String query) throws MetricQueryException;

    /**
     * The query's values on the {@link RangeGrid} of {@code step} from {@code start} (its first
     * multiple of the step at or after it, at most 1000 points before the end) up to {@code end}, in
     * time order: one series (empty when there is none, or no point of the grid lies between them);
     * a value that is not a number (NaN, ±Inf) is kept as NaN, for the caller to leave out.
     */
    double[] queryRange(String query, Instant start, Instant end, Duration step) throws MetricQueryException;

    /**
     * An instant query answering many series (a batched built-in metric): each series' value by the
     * values of {@code labels}, in their order; a series whose value is not a number is left out.
     */
    default Map<List<String>, Double> queryVector(String query, List<String> labels) throws MetricQueryException {
        throw new MetricQueryException(MetricQueryException.Kind.REJECTED, "this provider answers no batched queries");
    }

    /**
     * A range query answering many series (the judge's points of a batched built-in metric), on the
     * {@link RangeGrid} from {@code first} (one of its points) to {@code end}: each series' points by
     * the values of {@code labels}.
     */
    default Map<List<String>, RangeAnswer.Series> queryMatrix(String query, List<String> labels, Instant first, Instant end,
            Duration step) throws MetricQueryException {
        throw new MetricQueryException(MetricQueryException.Kind.REJECTED, "this provider answers no batched queries");
    }
}
