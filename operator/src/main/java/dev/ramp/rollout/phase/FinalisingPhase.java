package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import java.util.Set;

/**
 * The primary runs the new version and has all traffic (routing follows the written status):
 * record the promotion. The canary is scaled to 0 by {@link IdlePhase}, once the route has had
 * {@link IdlePhase#CANARY_DRAIN} to leave it.
 */
public class FinalisingPhase implements PhaseHandler {

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Finalising);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        status.setLastPromotedRevision(status.getLastAppliedRevision());
        // The commit of the analysed revision, not the target's now: a newer commit may already be waiting.
        if (status.getLastAppliedCommit() != null) {
            status.setLastPromotedCommit(status.getLastAppliedCommit());
        }
        status.setCanaryWeight(0);
        status.setCurrentStep(null);
        Transitions.to(context, Phase.Succeeded);
        Transitions.setCondition(context, RolloutConditions.PROMOTED, Conditions.TRUE, "Succeeded",
                "revision " + status.getLastPromotedRevision() + " promoted");
        context.normal("Promoted", "Revision " + status.getLastPromotedRevision() + " promoted; the canary is scaled to 0 in "
                + IdlePhase.CANARY_DRAIN.toSeconds() + " s, once the route has left it");
        Transitions.finished(context, "succeeded");
        return Next.onChange();
    }
}
