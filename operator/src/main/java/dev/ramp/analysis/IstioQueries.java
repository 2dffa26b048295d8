package dev.ramp.analysis;

import dev.ramp.api.RolloutNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The built-in checks on Istio's standard telemetry as the destination's sidecar reports it,
 * for the pods of the canary's own revision only: the target Deployment's pods whose canonical
 * revision ({@code destination_canonical_revision}, from the pod label Ramp sets) is the release's.
 * The previous version's requests, even under the same workload name, never count.
 *
 * <p>Counts are taken as the counter now minus the counter one window ago (or zero, for a
 * series that did not exist then), not with {@code rate()}: a canary's first 5xx creates a new
 * series, which {@code rate()} ignores until it has two samples, and the first errors would be
 * missed. The release's pods are new, so their counters start at zero.
 */
public final class IstioQueries implements BuiltinQueries {

    /** The only instance: the queries depend on nothing but the variables they are rendered with. */
    public static final IstioQueries INSTANCE = new IstioQueries();

    private static final String CANARY = selector("target");

    /** The pods of one side the judge compares: {@code {{ workload }}} and its {@code {{ revision }}}. */
    private static final String SIDE = selector("workload");

    /** Requests to the canary's revision within the window; absent when it has no series at all. */
    public static final String REQUESTS = increase("istio_requests_total{" + CANARY + "}");

    private static final String ERRORS = increase("istio_requests_total{" + CANARY + ",response_code=~\"5.*\"}");

    /**
     * The canary revision's request counters as they stand (not a window's growth): what a failed
     * check was judged on, so that the next one counts only on more ({@code CanaryEvidence}).
     */
    public static final String REQUESTS_SO_FAR = "sum(istio_requests_total{" + CANARY + "})";
    public static final String ERRORS_SO_FAR = "sum(istio_requests_total{" + CANARY + ",response_code=~\"5.*\"})";

    private static final Map<String, String> QUERIES = Map.of(SUCCESS_RATE, successRate(CANARY), DURATION, duration(CANARY));

    /**
     * The judge's points: the success rate as the threshold query has it, and request-duration as
     * each step's mean (the histogram's sum over its count), not its p99: a quantile read from
     * Istio's buckets (…, 50, 100, 250 ms) moves only when requests cross a bound, so per-step
     * points of a few dozen requests jump between two values and two samples of the same version
     * can seem far apart (docs/judge.md, "Measured error rates"). A mean has no buckets.
     */
    private static final Map<String, String> POINTS = Map.of(SUCCESS_RATE, successRate(SIDE), DURATION, meanDuration(SIDE));

    /** What the batched queries sum by: a canary is its namespace, its workload (the target) and its revision. */
    static final List<String> BATCH_LABELS = List.of("destination_workload_namespace", "destination_workload",
            "destination_canonical_revision");

    private static final String BY = "sum by (" + String.join(", ", BATCH_LABELS) + ")";

    private static final String ALL = "reporter=\"destination\"";

    /**
     * Every workload's value at once, in the mesh's whole telemetry (every reporter="destination"
     * series): the same growth and the same quantile as a canary's own query, grouped by
     * {@link #BATCH_LABELS}. Errors are "or 0 × requests", not "or vector(0)", so that a workload
     * without a 5xx series has 0 errors, as vector(0) gives a canary's own query.
     */
    private static final Map<String, String> BATCHED = Map.of(
            Analysis.REQUESTS, batchedIncrease("istio_requests_total{" + ALL + "}"),
            SUCCESS_RATE, "100 - 100 * ((" + batchedIncrease("istio_requests_total{" + ALL + ",response_code=~\"5.*\"}") + ") or (0 * "
                    + batchedIncrease("istio_requests_total{" + ALL + "}") + ")) / (" + batchedIncrease("istio_requests_total{" + ALL + "}") + ")",
            DURATION, "histogram_quantile(0.99, sum by (le, " + String.join(", ", BATCH_LABELS) + ") ("
                    + growth("istio_request_duration_milliseconds_bucket{" + ALL + "}") + "))");

    /**
     * Every workload's points at once, by {@link #BATCH_LABELS}: the same growth over the step as
     * {@link #POINTS}, for the canaries and the sides they are compared with alike.
     */
    private static final Map<String, String> BATCHED_POINTS = Map.of(
            SUCCESS_RATE, BATCHED.get(SUCCESS_RATE),
            DURATION, "(" + batchedIncrease("istio_request_duration_milliseconds_sum{" + ALL + "}") + ") / ("
                    + batchedIncrease("istio_request_duration_milliseconds_count{" + ALL + "}") + ")");

    private IstioQueries() {
    }

    /** One query for every side: the selector is the whole mesh's. */
    @Override
    public Optional<String> batchedPoint(String metricName, String side) {
        return Optional.ofNullable(BATCHED_POINTS.get(metricName));
    }

    @Override
    public Optional<Optional<RangeAnswer.Series>> seriesIn(RangeAnswer answer, String namespace, String workload,
            String workloadService, String revision) {
        return Optional.of(answer.get(namespace, workload, revision));
    }

    @Override
    public Optional<String> batched(String metricName) {
        return Optional.ofNullable(BATCHED.get(metricName));
    }

    @Override
    public List<String> batchLabels() {
        return BATCH_LABELS;
    }

    /** Istio's counts are over the window alone, whenever the release began: every canary batches. */
    @Override
    public boolean batches(Optional<Instant> releaseStart, Instant at, Duration window) {
        return true;
    }

    @Override
    public Optional<OptionalDouble> valueIn(BatchAnswer answer, String metricName, RolloutNames names, String revision) {
        return Optional.of(answer.get(names.namespace(), names.target(), revision));
    }

    @Override
    public Optional<String> query(String metricName) {
        return Optional.ofNullable(QUERIES.get(metricName));
    }

    /** The same queries, on the side's workload: growth over {@code {{ interval }}}, here the step, at each point. */
    @Override
    public Optional<String> point(String metricName) {
        return Optional.ofNullable(POINTS.get(metricName));
    }

    @Override
    public String requests() {
        return REQUESTS;
    }

    @Override
    public String requestsSoFar() {
        return REQUESTS_SO_FAR;
    }

    @Override
    public String errorsSoFar() {
        return ERRORS_SO_FAR;
    }

    @Override
    public String counted(RolloutNames names, String revision) {
        return "requests to revision " + revision;
    }

    private static String selector(String workloadVariable) {
        return "reporter=\"destination\",destination_workload_namespace=\"{{ namespace }}\",destination_workload=\"{{ "
                + workloadVariable + " }}\",destination_canonical_revision=\"{{ revision }}\"";
    }

    private static String successRate(String selector) {
        return "100 - 100 * ((" + increase("istio_requests_total{" + selector + ",response_code=~\"5.*\"}") + ") or vector(0)) / ("
                + increase("istio_requests_total{" + selector + "}") + ")";
    }

    private static String duration(String selector) {
        return "histogram_quantile(0.99, sum by (le) (" + growth("istio_request_duration_milliseconds_bucket{" + selector + "}") + "))";
    }

    private static String meanDuration(String selector) {
        return "(" + increase("istio_request_duration_milliseconds_sum{" + selector + "}") + ") / ("
                + increase("istio_request_duration_milliseconds_count{" + selector + "}") + ")";
    }

    /** How much a counter grew in the window, summed over its series. */
    private static String increase(String series) {
        return "sum(" + growth(series) + ")";
    }

    private static String batchedIncrease(String series) {
        return BY + " (" + growth(series) + ")";
    }

    /**
     * Each series' growth in the window, series by series: a series born within it counts from
     * zero, one that vanished (a pod gone) drops out, and one reset (a restarted container) is
     * clamped at zero rather than subtracted from the others.
     */
    private static String growth(String series) {
        return "(clamp_min(" + series + " - " + series + " offset {{ interval }}, 0) or " + series + ")";
    }
}
