package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
        return Optional.of(primary.map(p -> p.getSpec().getReplicas()).filter(r -> r != null && r > 0).orElse(1));
    }
}
