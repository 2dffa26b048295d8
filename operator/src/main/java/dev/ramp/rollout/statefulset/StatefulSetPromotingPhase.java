package dev.ramp.rollout.statefulset;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import java.time.Duration;
import java.util.Set;

/**
 * Promotes a StatefulSet's release: partition 0, so the controller moves the remaining ordinals
 * (highest first) to the revision; once every pod runs it as the controller's current revision and
 * is ready, the partition goes back to the replica count (at rest) and the release has succeeded.
 * A revision that changed meanwhile restarts the release ({@code NewRevisionGuard}).
 */
public class StatefulSetPromotingPhase implements PhaseHandler {

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Promoting, Phase.Finalising);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        StatefulSetProgress progress = StatefulSetProgress.of(context.statefulSet().orElseThrow());
        String revision = status.getLastAppliedRevision();
        if (!progress.allOn(revision)) {
            context.effect(new Effect.Partition(0));
            status.setCanaryWeight(StatefulSetSteps.share(progress.replicas(), 0));
            return Next.after(Duration.ofSeconds(2));
        }
        context.effect(new Effect.Partition(progress.replicas()));
        status.setLastPromotedRevision(revision);
        if (status.getLastAppliedCommit() != null) {
            status.setLastPromotedCommit(status.getLastAppliedCommit());
        }
        status.setCanaryWeight(0);
        status.setCurrentStep(null);
        Transitions.to(context, Phase.Succeeded);
        Transitions.setCondition(context, RolloutConditions.PROMOTED, Conditions.TRUE, "Succeeded", "revision " + revision + " promoted");
        context.normal("Promoted", "Revision " + revision + " promoted: every pod of StatefulSet "
                + context.targetObject().getMetadata().getName() + " runs it; partition back at " + progress.replicas());
        Transitions.finished(context, "succeeded");
        return Next.onChange();
    }
}
