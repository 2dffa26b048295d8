package dev.ramp.rollout.phase;

import dev.ramp.api.RolloutConditions;
import dev.ramp.api.Phase;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.Workloads;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.Set;

/**
 * Bootstrap: creates the primary from the target's template (the Services and the routing, all
 * traffic to the primary, follow from {@code GeneratedObjects}), then, once the primary is
 * ready, scales the target to 0.
 */
public class InitializingPhase implements PhaseHandler {

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Initializing);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        String revision = context.targetRevision();
        context.effect(new Effect.ApplyPrimary(revision));
        Deployment primary = context.primary().orElse(null);
        if (primary == null || !revision.equals(Workloads.revisionOf(primary)) || !Workloads.isReady(primary)) {
            Transitions.setCondition(context, RolloutConditions.READY, Conditions.UNKNOWN, "Initializing",
                    "waiting for Deployment " + RolloutNames.of(context.rollout()).primary() + " to be ready");
            return Next.after(Duration.ofSeconds(5));
        }
        context.effect(new Effect.ScaleDownCanary());
        status.setLastAppliedRevision(revision);
        status.setLastPromotedRevision(revision);
        status.setLastPromotedCommit(context.targetCommit());
        status.setCanaryWeight(0);
        Transitions.to(context, Phase.Initialized);
        Transitions.setCondition(context, RolloutConditions.READY, Conditions.TRUE, "Initialized",
                "primary ready; all traffic goes to " + RolloutNames.of(context.rollout()).primary());
        context.normal("Initialized", "Primary ready with revision " + revision
                + "; " + context.target().getMetadata().getName() + " scaled to 0");
        return Next.onChange();
    }
}
