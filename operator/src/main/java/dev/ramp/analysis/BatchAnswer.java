package dev.ramp.analysis;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One batched query's answer: each series' value, keyed by the values of the labels the query
 * summed by (in their order; a missing label is ""), and when it was asked, which is when
 * Prometheus evaluated it or just before. A series whose value is not a number (0/0, ±Inf) is
 * left out, as a canary's own query answering NaN is no data.
 */
public record BatchAnswer(Instant at, Map<List<String>, Double> values) {

    public BatchAnswer {
        values = Map.copyOf(values);
    }

    /** The value of the series with these label values; empty when there is none. */
    public OptionalDouble get(String... labelValues) {
        Double value = values.get(List.of(labelValues));
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }
}
