package dev.ramp.cli.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ramp.api.MetricStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Everything {@code ramp status} shows about one Rollout, gathered from the Rollout, its target
 * Deployment, its route (VirtualService, HTTPRoute or GRPCRoute) and its Events; {@code -o json|yaml} prints this document.
 *
 * @param phaseSince when the current phase began (RFC 3339)
 * @param step the Canary's step, from 1 (absent outside a release and for other strategies)
 * @param stepSince when the release reached its current step (RFC 3339; absent outside a step)
 * @param stepWeights the Canary's weight at each step (absent when its steps are counted in pods)
 * @param stepReplicas a StatefulSet canary's pods on the new revision at each step, when counted in pods
 * @param routing the weights the route routes by, when Ramp has written it
 * @param inconclusiveChecks Inconclusive checks in a row (no verdict: no data, too few requests,
 *     Prometheus unreachable), which hold the step; {@code inconclusiveLimit} of them roll back
 * @param pendingAction an action requested by annotation that Ramp has not carried out yet
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusReport(String name, String namespace, String strategy, String phase, String phaseSince, boolean paused,
        Integer step, String stepSince, List<Integer> stepWeights, List<Integer> stepReplicas, Integer iterations, Integer requiredIterations,
        int canaryWeight, Routing routing, int failedChecks, int threshold, int inconclusiveChecks, int inconclusiveLimit,
        List<MetricStatus> metrics, Commits commits, Revisions revisions,
        String lastAction, String pendingAction, List<Condition> conditions, List<EventLine> events) {

    /**
     * The weights of the route's http route or rule named primary, in percent (of the sum for the
     * Gateway API's weights, which Ramp writes as percentages too).
     *
     * @param kind VirtualService, HTTPRoute, GRPCRoute or, without a mesh, Service ({@link dev.ramp.api.RouteKind})
     * @param name the route's name
     * @param accepted the Gateway API only: the status of the Rollout's RouteAccepted condition,
     *     the operator's verdict on every parent together (absent before the operator's first word)
     * @param baseline the baseline Service's weight, while a release with analysis.baseline routes to one (else absent)
     * @param acceptedReason that condition's reason
     * @param parents the Gateway API only: what each parent Gateway's controller reports of the route
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Routing(String kind, String name, int primary, int canary, Integer baseline, String accepted, String acceptedReason,
            List<Parent> parents) {
    }

    /**
     * A Gateway's report on the route ({@code status.parents[]}): its Accepted condition, or its
     * ResolvedRefs when that is False (the Gateway took the route but cannot reach its backends).
     *
     * @param gateway namespace/name, and the listener in parentheses when the route names one
     * @param condition Accepted or ResolvedRefs; absent when the controller wrote neither
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parent(String gateway, String controller, String status, String condition, String reason, String message) {
    }

    /**
     * Git commits involved: the promoted one, the one the target was synced from (the release),
     * and the revert Ramp pushed after a failure, with where that revert stands
     * ({@code status.gitRevert}: state and reason; absent when no release failed).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Commits(String promoted, String release, String revert, String revertState, String revertReason) {
    }

    /** Pod template hashes: the canary's (applied), the primary's (promoted), the target's now. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Revisions(String applied, String promoted, String target) {
    }

    /** One Event about the Rollout. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventLine(String type, String reason, String message, String time, Integer count) {
    }
}
