package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutStatus;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.Workloads;
import java.util.Set;

/**
 * Between releases (Initialized, Succeeded; Failed through {@link FailedPhase}): waits for a new revision of the target. A
 * template equal to the promoted one (a rollback landing, e.g. Ramp's own revert from Git)
 * starts nothing, and re-creates a deleted primary from it; one equal to the last failed
 * revision is not retried.
 */
public class IdlePhase implements PhaseHandler {

    private final Workloads workloads;
    private final Transitions transitions;

    public IdlePhase(Workloads workloads, Transitions transitions) {
        this.workloads = workloads;
        this.transitions = transitions;
    }

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Initialized, Phase.Succeeded);
    }

    @Override
    public Next handle(RolloutContext context) {
        if (transitions.notifyPostRollout(context)) {
            return Next.after(java.time.Duration.ofMillis(100));
        }
        RolloutStatus status = context.status();
        String revision = context.targetRevision();
        if (revision.equals(status.getLastPromotedRevision()) || revision.equals(status.getLastAppliedRevision())) {
            if (revision.equals(status.getLastPromotedRevision())) {
                status.setLastAppliedRevision(revision);
                // A deleted primary comes back from the target, which declares the promoted template.
                if (workloads.primary(context.rollout()).isEmpty()) {
                    workloads.applyPrimary(context.rollout(), context.target(), revision);
                }
            }
            // The target only runs during a release; a sync that scaled it up again is undone.
            workloads.scaleDownCanary(context.target());
            return Next.onChange();
        }
        transitions.startRelease(context, revision);
        return Next.after(java.time.Duration.ofSeconds(1));
    }
}
