package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutStatus;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import java.time.Duration;
import java.util.Set;

/**
 * Between releases (Initialized, Succeeded; Failed through {@link FailedPhase}): waits for a new
 * revision of the target. A template equal to the promoted one (a rollback landing, e.g. Ramp's
 * own revert from Git) starts nothing and keeps the primary on it: a deleted primary is
 * re-created and an edited one put back. One equal to the last failed revision is not retried.
 */
public class IdlePhase implements PhaseHandler {

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Initialized, Phase.Succeeded);
    }

    @Override
    public Next handle(RolloutContext context) {
        boolean notified = Transitions.notifyPostRollout(context);
        RolloutStatus status = context.status();
        String revision = context.targetRevision();
        if (revision.equals(status.getLastPromotedRevision()) || revision.equals(status.getLastAppliedRevision())) {
            if (revision.equals(status.getLastPromotedRevision())) {
                status.setLastAppliedRevision(revision);
                // The target declares the promoted template: the primary is made to run it again
                // (nothing is written when it already does).
                context.effect(new Effect.ApplyPrimary(revision));
            }
            // The target only runs during a release; a sync that scaled it up again is undone.
            context.effect(new Effect.ScaleDownCanary());
            return Next.onChange();
        }
        if (notified) {
            // The hooks hear of the release that ended before a new one replaces it in status.
            return Next.after(Duration.ofMillis(100));
        }
        Transitions.startRelease(context, revision);
        return Next.after(Duration.ofSeconds(1));
    }
}
