package dev.ramp.analysis;

import java.util.Map;
import java.util.Optional;

/**
 * The built-in checks, on Istio's standard telemetry as the destination's sidecar reports it,
 * for the pods of the canary's own revision only: the target Deployment's pods whose canonical
 * revision ({@code destination_canonical_revision}, from the pod label Ramp sets) is the release's.
 * The previous version's requests, even under the same workload name, never count.
 *
 * <p>Counts are taken as the counter now minus the counter one window ago (or zero, for a
 * series that did not exist then), not with {@code rate()}: a canary's first 5xx creates a new
 * series, which {@code rate()} ignores until it has two samples, and the first errors would be
 * missed. The release's pods are new, so their counters start at zero and the difference is exact.
 */
public final class BuiltinQueries {

    public static final String SUCCESS_RATE = "request-success-rate";
    public static final String DURATION = "request-duration";

    private static final String CANARY = "reporter=\"destination\",destination_workload_namespace=\"{{ namespace }}\","
            + "destination_workload=\"{{ target }}\",destination_canonical_revision=\"{{ revision }}\"";

    /** Requests to the canary's revision within the window; absent when it has no series at all. */
    public static final String REQUESTS = increase("istio_requests_total{" + CANARY + "}");

    private static final String ERRORS = increase("istio_requests_total{" + CANARY + ",response_code=~\"5.*\"}");

    private static final Map<String, String> QUERIES = Map.of(
            SUCCESS_RATE, "100 - 100 * ((" + ERRORS + ") or vector(0)) / (" + REQUESTS + ")",
            DURATION, "histogram_quantile(0.99, (sum by (le) (istio_request_duration_milliseconds_bucket{" + CANARY + "})"
                    + " - sum by (le) (istio_request_duration_milliseconds_bucket{" + CANARY + "} offset {{ interval }}))"
                    + " or sum by (le) (istio_request_duration_milliseconds_bucket{" + CANARY + "}))");

    private BuiltinQueries() {
    }

    public static Optional<String> query(String metricName) {
        return Optional.ofNullable(QUERIES.get(metricName));
    }

    /** How much a counter grew in the window, counting a series born within it from zero. */
    private static String increase(String series) {
        return "clamp_min(sum(" + series + ") - (sum(" + series + " offset {{ interval }}) or vector(0)), 0)";
    }
}
