package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.Strategy;
import dev.ramp.routing.ReplicaSplit;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Optional;

/**
 * How many pods Ramp asks of the primary and of the canary, or that it asks nothing (empty): the
 * decision alone, no I/O. Without an autoscaler Ramp sizes both: the primary keeps its size (the
 * target's, when it is first made), the canary runs at the primary's. With one
 * ({@code spec.autoscalerRef}) the autoscalers own the sizes once the Deployments run: the
 * primary's replicas are never written after it exists (a promotion changes its template only, so
 * the primary's HPA keeps its current count: no drop to minReplicas mid-traffic), and the canary
 * is sized by Ramp only from 0, at a release's start, after which the target's HPA (inactive at 0
 * replicas, active again once the canary runs) sizes it; Ramp scales it back to 0 after the release.
 * Without a mesh ({@code service.provider: None}) a canary's size is its traffic share: the pods
 * nearest its step's weight beside the primary ({@link ReplicaSplit}).
 */
public final class ReplicaCounts {

    private ReplicaCounts() {
    }

    /** The primary's replicas to write with its template; empty: leave them as they are. */
    public static Optional<Integer> primary(Rollout rollout, Deployment target, Optional<Deployment> primary) {
        if (primary.isPresent()) {
            return RolloutSpec.autoscaled(rollout.getSpec()) ? Optional.empty()
                    : Optional.ofNullable(primary.get().getSpec().getReplicas());
        }
        Integer replicas = target.getSpec().getReplicas();
        return Optional.of(replicas == null || replicas == 0 ? 1 : replicas);
    }

    /** The canary's replicas for a release; empty: leave them to the target's autoscaler. */
    public static Optional<Integer> canary(Rollout rollout, Deployment target, Optional<Deployment> primary) {
        Integer current = target.getSpec().getReplicas();
        if (RolloutSpec.autoscaled(rollout.getSpec()) && current != null && current > 0) {
            return Optional.empty();
        }
        int primarySize = primary.map(p -> p.getSpec().getReplicas()).filter(r -> r != null && r > 0).orElse(1);
        if (byPods(rollout)) {
            return Optional.of(split(rollout, target, primarySize, sizedWeight(rollout)).canary());
        }
        return Optional.of(primarySize);
    }

    /**
     * The baseline's replicas ({@code analysis.baseline}): the canary's, as Ramp sizes it or, once
     * the target's autoscaler sizes it, as it runs; at least 1.
     */
    public static int baseline(Rollout rollout, Deployment target, Optional<Deployment> primary) {
        return canary(rollout, target, primary).or(() -> Optional.ofNullable(target.getSpec().getReplicas()))
                .filter(r -> r > 0).orElse(1);
    }

    /**
     * The share of the traffic the canary gets at a step of {@code stepWeight} percent: the weight
     * itself behind a router; without a mesh, its share of the pods ({@link ReplicaSplit#weight}),
     * which status.canaryWeight reports.
     */
    public static int achievedWeight(Rollout rollout, Deployment target, Optional<Deployment> primary, int stepWeight) {
        if (!byPods(rollout) || stepWeight <= 0) {
            return stepWeight;
        }
        return split(rollout, target, primary, stepWeight).weight();
    }

    /** Without a mesh, the pods of primary and canary at a step of {@code stepWeight} percent. */
    public static ReplicaSplit split(Rollout rollout, Deployment target, Optional<Deployment> primary, int stepWeight) {
        int primarySize = primary.map(p -> p.getSpec().getReplicas()).filter(r -> r != null && r > 0).orElse(1);
        return split(rollout, target, primarySize, stepWeight);
    }

    /**
     * Whether the canary's pod count is its traffic share: a canary strategy with provider None
     * (a blue/green release without a mesh runs the canary at the primary's size and switches the
     * Service to it at once).
     */
    public static boolean byPods(Rollout rollout) {
        return rollout.getSpec().getService().effectiveProvider() == RoutingProvider.None
                && RolloutSpec.effectiveStrategy(rollout.getSpec()) == Strategy.Canary;
    }

    private static ReplicaSplit split(Rollout rollout, Deployment target, int primary, int weight) {
        // A target that allows no surge is refused (ReplicaRatioRouter); one pod should it get here.
        return ReplicaSplit.of(weight, primary, ReplicaSplit.maxSurge(target, primary).orElse(1));
    }

    /** The weight the canary is sized for: its step's, or before the first step (no traffic yet) the first step's. */
    private static int sizedWeight(Rollout rollout) {
        List<ReleasePlan.Step> plan = ReleasePlan.of(rollout);
        RolloutStatus status = rollout.getStatus();
        Integer index = status == null || status.getCurrentStep() == null ? null : status.getCurrentStep().getIndex();
        return plan.get(index == null ? 0 : Math.min(index, plan.size() - 1)).routing().weights().canary();
    }
}
