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
     * The query's values at {@code start}, {@code start + step}, ... up to {@code end}, in time
     * order: one series (empty when there is none); a value that is not a number (NaN, ±Inf) is
     * kept as NaN, for the caller to leave out.
     */
    double[] queryRange(String query, Instant start, Instant end, Duration step) throws MetricQueryException;

    /**
     * An instant query answering many series (a batched built-in metric): each series' value by the
     * values of {@code labels}, in their order; a series whose value is not a number is left out.
     */
    default Map<List<String>, Double> queryVector(String query, List<String> labels) throws MetricQueryException {
        throw new MetricQueryException(MetricQueryException.Kind.REJECTED, "this provider answers no batched queries");
    }
}
