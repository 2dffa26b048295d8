package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.Workloads;
import java.util.Set;

/** The primary runs the new version and has all traffic: scale the canary to 0 and record the promotion. */
public class FinalisingPhase implements PhaseHandler {

    private final Workloads workloads;
    private final Transitions transitions;

    public FinalisingPhase(Workloads workloads, Transitions transitions) {
        this.workloads = workloads;
        this.transitions = transitions;
    }

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Finalising);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        workloads.scaleDownCanary(context.target());
        status.setLastPromotedRevision(status.getLastAppliedRevision());
        // The commit of the analysed revision, not the target's now: a newer commit may already be waiting.
        if (status.getLastAppliedCommit() != null) {
            status.setLastPromotedCommit(status.getLastAppliedCommit());
        }
        status.setCanaryWeight(0);
        status.setStep(null);
        transitions.to(context, Phase.Succeeded);
        transitions.setCondition(context, Transitions.PROMOTED, Conditions.TRUE, "Succeeded",
                "revision " + status.getLastPromotedRevision() + " promoted");
        transitions.events().normal(context.rollout(), "Promoted", "Revision " + status.getLastPromotedRevision()
                + " promoted; canary scaled to 0");
        transitions.finished(context, "succeeded");
        return Next.onChange();
    }
}
