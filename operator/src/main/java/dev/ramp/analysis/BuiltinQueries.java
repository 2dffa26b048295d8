package dev.ramp.analysis;

import java.util.Map;
import java.util.Optional;

/**
 * The built-in checks, on Istio's standard telemetry as reported by the destination's sidecar,
 * for the canary workload (the target Deployment) only.
 */
public final class BuiltinQueries {

    public static final String SUCCESS_RATE = "request-success-rate";
    public static final String DURATION = "request-duration";

    private static final Map<String, String> QUERIES = Map.of(
            SUCCESS_RATE, """
                    sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",\
                    destination_workload="{{ target }}",response_code!~"5.*"}[{{ interval }}])) \
                    / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",\
                    destination_workload="{{ target }}"}[{{ interval }}])) * 100""",
            DURATION, """
                    histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",\
                    destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"}[{{ interval }}])) by (le))""");

    private BuiltinQueries() {
    }

    public static Optional<String> query(String metricName) {
        return Optional.ofNullable(QUERIES.get(metricName));
    }
}
