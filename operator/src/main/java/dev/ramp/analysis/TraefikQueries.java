package dev.ramp.analysis;

import dev.ramp.api.RolloutNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The built-in checks on Traefik's service metrics ({@code --metrics.prometheus}) for the
 * canary's backend Service, {@code <service>-canary}, as Traefik's Gateway API provider names it
 * in the {@code service} label: {@code httproute-<ns>-<route>-gw-<gateway ns>-<gateway>-ep-<entry
 * point>-<rule>-<hash>-svc-<backend ns>-<backend>-<backend index>@kubernetesgateway} (v3.7;
 * {@code grpcroute-} for a GRPCRoute). The regex fixes only the ends: the route's namespace and
 * the backend's namespace, name and index, so a change of the route's name, its rules or the
 * Gateway does not lose the series. Both namespaces are the Rollout's (Ramp's route and Services
 * live there), and the hash Traefik puts before {@code -svc-} is required, so a Service of the same
 * name in another namespace does not match (hyphen-joined names stay ambiguous in one case only:
 * a route of this namespace, or of one named {@code <namespace>-…}, sending by a ReferenceGrant to one named
 * {@code <20 hex digits>-svc-<namespace>}; docs/gateway-api.md, "Metrics").
 *
 * <p>Traefik's series carry no revision, and a backend's counters live as long as the route sends
 * to it, across releases. So every count starts at the release: the counter now minus the counter
 * at {@code {{ windowStart }}} (the later of the release's start and one window ago; {@code
 * {{ releaseStart }}} for the counters so far), read with PromQL's {@code @} modifier, series by
 * series. A series born since then counts from zero; one that went back (Traefik restarted, or
 * dropped and re-created the service) counts from its reset. Requests the canary Service's pods
 * served since the release started count, whichever revision they run: during the target's
 * rolling update that may include the last requests of the previous canary's pods.
 */
public final class TraefikQueries implements BuiltinQueries {

    /** The only instance: the queries depend on nothing but the variables they are rendered with. */
    public static final TraefikQueries INSTANCE = new TraefikQueries();

    /** The canary backend's {@code service} label, as a regex (anchored by PromQL) to render inside a quoted string. */
    static final String CANARY_SERVICE = backend("canaryService");

    /** The backend of one side the judge compares, {@code {{ workloadService }}}. */
    static final String SIDE_SERVICE = backend("workloadService");

    private static final String SIDE = "service=~\"" + SIDE_SERVICE + "\"";

    private static final String CANARY = "service=~\"" + CANARY_SERVICE + "\"";

    private static final String TOTAL = "traefik_service_requests_total{" + CANARY + "}";
    private static final String ERROR_TOTAL = "traefik_service_requests_total{" + CANARY + ",code=~\"5..\"}";

    public static final String REQUESTS = sum(since(TOTAL, "windowStart"));
    public static final String REQUESTS_SO_FAR = sum(since(TOTAL, "releaseStart"));
    public static final String ERRORS_SO_FAR = sum(since(ERROR_TOTAL, "releaseStart"));

    private static final Map<String, String> QUERIES = Map.of(
            SUCCESS_RATE, "100 - 100 * ((" + sum(since(ERROR_TOTAL, "windowStart")) + ") or vector(0)) / (" + REQUESTS + ")",
            // Seconds in Traefik's histogram, milliseconds in the metric (as on Istio).
            DURATION, "1000 * histogram_quantile(0.99, sum by (le) ("
                    + since("traefik_service_request_duration_seconds_bucket{" + CANARY + "}", "windowStart") + "))");

    /**
     * The judge's points: each the growth over the step before it ({@code offset {{ interval }}}),
     * series by series, request-duration as the step's mean latency; Traefik's series outlive
     * releases, so a point never reaches before the step, and the judge's window starts no earlier
     * than the release.
     */
    private static final Map<String, String> POINTS = Map.of(
            SUCCESS_RATE, "100 - 100 * ((" + sum(step("traefik_service_requests_total{" + SIDE + ",code=~\"5..\"}"))
                    + ") or vector(0)) / (" + sum(step("traefik_service_requests_total{" + SIDE + "}")) + ")",
            // Each step's mean, not its p99, as on Istio (IstioQueries' POINTS say why).
            DURATION, "1000 * " + sum(step("traefik_service_request_duration_seconds_sum{" + SIDE + "}")) + " / "
                    + sum(step("traefik_service_request_duration_seconds_count{" + SIDE + "}")));

    /** Every canary backend's {@code service} label (Ramp's canary Services end in -canary), for the batched queries. */
    private static final String ANY_CANARY = anyBackend("canary");

    private static final String BATCH_TOTAL = "traefik_service_requests_total{" + ANY_CANARY + "}";

    private static final String BY = "sum by (service)";

    /**
     * Every canary backend's value at once, by {@code service}: each series' growth over the window
     * ({@code offset {{ interval }}}), which is what a canary's own query counts once its release is
     * older than the window ({@link #batches}).
     */
    private static final Map<String, String> BATCHED = Map.of(
            Analysis.REQUESTS, BY + " (" + step(BATCH_TOTAL) + ")",
            SUCCESS_RATE, "100 - 100 * ((" + BY + " (" + step("traefik_service_requests_total{" + ANY_CANARY + ",code=~\"5..\"}")
                    + ")) or (0 * " + BY + " (" + step(BATCH_TOTAL) + "))) / (" + BY + " (" + step(BATCH_TOTAL) + "))",
            DURATION, "1000 * histogram_quantile(0.99, sum by (le, service) ("
                    + step("traefik_service_request_duration_seconds_bucket{" + ANY_CANARY + "}") + "))");

    private TraefikQueries() {
    }

    /**
     * Every backend of the side's kind at once (Ramp's Services of a side end in -canary, -primary or
     * -baseline), by {@code service}: the same growth over the step as {@link #POINTS}. One query per
     * side, since a canary's backends and its primary's are told apart by those suffixes alone.
     */
    @Override
    public Optional<String> batchedPoint(String metricName, String side) {
        String any = anyBackend(side);
        String total = BY + " (" + step("traefik_service_requests_total{" + any + "}") + ")";
        return switch (metricName) {
            case SUCCESS_RATE -> Optional.of("100 - 100 * ((" + BY + " (" + step("traefik_service_requests_total{" + any
                    + ",code=~\"5..\"}") + ")) or (0 * " + total + ")) / (" + total + ")");
            case DURATION -> Optional.of("1000 * " + BY + " (" + step("traefik_service_request_duration_seconds_sum{" + any + "}")
                    + ") / " + BY + " (" + step("traefik_service_request_duration_seconds_count{" + any + "}") + ")");
            default -> Optional.empty();
        };
    }

    /** The side's backend's series; a side behind two routes (two series, whose rates cannot be combined) is asked alone. */
    @Override
    public Optional<Optional<RangeAnswer.Series>> seriesIn(RangeAnswer answer, String namespace, String workload,
            String workloadService, String revision) {
        RangeAnswer.Series found = null;
        for (var series : answer.series().entrySet()) {
            if (isBackend(series.getKey().get(0), namespace, workloadService)) {
                if (found != null) {
                    return Optional.empty();
                }
                found = series.getValue();
            }
        }
        return Optional.of(Optional.ofNullable(found));
    }

    @Override
    public Optional<String> batched(String metricName) {
        return Optional.ofNullable(BATCHED.get(metricName));
    }

    @Override
    public List<String> batchLabels() {
        return List.of("service");
    }

    /**
     * Only a canary whose release began a window or more before {@code at}: a younger one counts
     * from its release's start ({@code {{ windowStart }}}), which no shared query knows.
     */
    @Override
    public boolean batches(Optional<Instant> releaseStart, Instant at, Duration window) {
        return releaseStart.map(start -> !start.isAfter(at.minus(window))).orElse(true);
    }

    /**
     * The canary's backends' series: their requests summed; a rate or a p99 only from one series
     * (two routes to the canary Service cannot be combined from their rates), else asked alone.
     */
    @Override
    public Optional<OptionalDouble> valueIn(BatchAnswer answer, String metricName, RolloutNames names, String revision) {
        double sum = 0;
        int found = 0;
        for (var series : answer.values().entrySet()) {
            if (isBackend(series.getKey().get(0), names.namespace(), names.canaryService())) {
                sum += series.getValue();
                found++;
            }
        }
        if (found > 1 && !Analysis.REQUESTS.equals(metricName)) {
            return Optional.empty();
        }
        return Optional.of(found == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum));
    }

    /**
     * Whether {@code service} is what {@link #CANARY_SERVICE} matches for this namespace and
     * Service, read from its fixed ends without a regular expression: {@code @kubernetesgateway},
     * the backend index, {@code -svc-<namespace>-<service>-}, 20 hex digits, and a route of this
     * namespace with a name before them.
     */
    static boolean isBackend(String service, String namespace, String backend) {
        String end = "@kubernetesgateway";
        if (!service.endsWith(end)) {
            return false;
        }
        int index = service.length() - end.length();
        int digits = index;
        while (digits > 0 && service.charAt(digits - 1) >= '0' && service.charAt(digits - 1) <= '9') {
            digits--;
        }
        String svc = "-svc-" + namespace + "-" + backend + "-";
        int hashEnd = digits - svc.length();
        int hashStart = hashEnd - 20;
        if (digits == index || hashStart < 1 || !service.startsWith(svc, hashEnd) || service.charAt(hashStart - 1) != '-') {
            return false;
        }
        for (int i = hashStart; i < hashEnd; i++) {
            char c = service.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        for (String kind : List.of("httproute-", "grpcroute-")) {
            String route = kind + namespace + "-";
            if (service.startsWith(route) && route.length() < hashStart - 1) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<String> point(String metricName) {
        return Optional.ofNullable(POINTS.get(metricName));
    }

    /** Every backend whose Service ends in {@code -<side>}, in any namespace. */
    private static String anyBackend(String side) {
        return "service=~\"(httproute|grpcroute)-.+-[0-9a-f]{20}-svc-.+-" + side + "-[0-9]+@kubernetesgateway\"";
    }

    private static String backend(String serviceVariable) {
        return "(httproute|grpcroute)-{{ namespace }}-.+-[0-9a-f]{20}-svc-{{ namespace }}-{{ " + serviceVariable
                + " }}-[0-9]+@kubernetesgateway";
    }

    /** Each series' growth over the step before the point; a reset within it counts from the reset. */
    private static String step(String series) {
        return "((" + series + " - " + series + " offset {{ interval }} >= 0) or " + series + ")";
    }

    @Override
    public Optional<String> query(String metricName) {
        return Optional.ofNullable(QUERIES.get(metricName));
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
        return "of this release's requests to Service " + names.namespace() + "/" + names.canaryService();
    }

    @Override
    public String noData(RolloutNames names, String revision) {
        return "the canary's Service " + names.namespace() + "/" + names.canaryService() + " in Traefik's metrics"
                + " (ramp.metrics.gateway-api is traefik: is the Gateway served by Traefik, with --metrics.prometheus, and"
                + " scraped by this Prometheus?)";
    }

    private static String sum(String growth) {
        return "sum(" + growth + ")";
    }

    /**
     * Each series' growth since the instant {@code {{ start }}}: a series born after it counts from
     * zero, and one that went back since (a reset) counts from its reset rather than being
     * subtracted from the others.
     */
    private static String since(String series, String start) {
        return "((" + series + " - " + series + " @ {{ " + start + " }} >= 0) or " + series + ")";
    }
}
