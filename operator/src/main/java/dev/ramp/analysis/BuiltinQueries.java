package dev.ramp.analysis;

import dev.ramp.api.RolloutNames;
import java.util.Optional;

/**
 * The built-in checks ({@value #SUCCESS_RATE}, {@value #DURATION}), the minimum sample and the
 * canary's counters a failed check is judged on, as queries on one data plane's telemetry:
 * {@link IstioQueries} or {@link TraefikQueries}, chosen per Rollout by {@link GatewayApiImplementation}.
 * Each query is a template rendered with the check's variables ({@link QueryTemplate}).
 */
public interface BuiltinQueries {

    String SUCCESS_RATE = "request-success-rate";
    String DURATION = "request-duration";

    /** The query of the built-in metric {@code metricName}; empty when it is not one. */
    Optional<String> query(String metricName);

    /**
     * The built-in metric {@code metricName} as one point of the judge's series: the metric over the
     * {@code {{ interval }}} (the step) before the point, for the pods of one side, {@code {{ workload }}}
     * running {@code {{ revision }}} behind {@code {{ workloadService }}}; empty when it is not one.
     */
    Optional<String> point(String metricName);

    /** The canary's requests within the window; absent when it has no series at all. */
    String requests();

    /**
     * The canary's request counters as they stand for this release (not a window's growth): what a
     * failed check was judged on, so that the next one counts only on more ({@code CanaryEvidence}).
     */
    String requestsSoFar();

    /** The canary's requests answered 5xx, counted as {@link #requestsSoFar()}. */
    String errorsSoFar();

    /**
     * What the request count counts, for messages: "requests to revision 5d8c7f9b6", "of this
     * release's requests to Service shop/podinfo-canary".
     */
    String counted(RolloutNames names, String revision);

    /** What a built-in metric found no data for, and where to look: "the canary's revision 5d8c7f9b6". */
    default String noData(RolloutNames names, String revision) {
        return "the canary's revision " + revision;
    }
}
