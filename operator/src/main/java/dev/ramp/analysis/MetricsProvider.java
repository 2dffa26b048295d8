package dev.ramp.analysis;

import java.util.OptionalDouble;

/** A metrics backend that answers a query with one number, or with none when it has no data. */
public interface MetricsProvider {

    OptionalDouble query(String query) throws MetricQueryException;
}
