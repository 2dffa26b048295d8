package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
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

    private final Workloads workloads;
    private final Transitions transitions;

    public InitializingPhase(Workloads workloads, Transitions transitions) {
        this.workloads = workloads;
        this.transitions = transitions;
    }

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Initializing);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        String revision = context.targetRevision();
        workloads.applyPrimary(context.rollout(), context.target(), revision);
        Deployment primary = workloads.primary(context.rollout()).orElse(null);
        if (primary == null || !Workloads.isReady(primary)) {
            transitions.setCondition(context, "Ready", Conditions.UNKNOWN, "Initializing",
                    "waiting for Deployment " + RolloutNames.of(context.rollout()).primary() + " to be ready");
            return Next.after(Duration.ofSeconds(5));
        }
        workloads.scaleDownCanary(context.target());
        status.setLastAppliedRevision(revision);
        status.setLastPromotedRevision(revision);
        status.setLastPromotedCommit(context.targetCommit());
        status.setCanaryWeight(0);
        transitions.to(context, Phase.Initialized);
        transitions.setCondition(context, "Ready", Conditions.TRUE, "Initialized",
                "primary ready; all traffic goes to " + RolloutNames.of(context.rollout()).primary());
        transitions.events().normal(context.rollout(), "Initialized", "Primary ready with revision " + revision
                + "; " + context.target().getMetadata().getName() + " scaled to 0");
        return Next.onChange();
    }
}
