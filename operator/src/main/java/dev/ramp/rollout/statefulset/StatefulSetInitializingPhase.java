package dev.ramp.rollout.statefulset;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StatefulSetReasons;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import java.util.Set;

/**
 * A new Rollout of a StatefulSet: takes the partition (the replica count, so that no pod moves
 * until a release lowers it) and records the controller's current revision as the promoted one.
 * A StatefulSet found mid-update (its update revision not yet on every pod) is then released like
 * any new revision.
 */
public class StatefulSetInitializingPhase implements PhaseHandler {

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Initializing);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        StatefulSetProgress progress = StatefulSetProgress.of(context.statefulSet().orElseThrow());
        context.effect(new Effect.Partition(progress.replicas()));
        // A controller that has not set its current revision yet has all its pods to create on the update revision.
        String revision = progress.currentRevision() == null ? progress.updateRevision() : progress.currentRevision();
        status.setLastAppliedRevision(revision);
        status.setLastPromotedRevision(revision);
        status.setLastPromotedCommit(context.targetCommit());
        status.setCanaryWeight(0);
        Transitions.to(context, Phase.Initialized);
        String name = context.targetObject().getMetadata().getName();
        Transitions.setCondition(context, RolloutConditions.READY, Conditions.TRUE, "Initialized", "StatefulSet " + name
                + " on revision " + revision + "; Ramp holds " + StatefulSetReasons.PARTITION_FIELD + " at " + progress.replicas()
                + " between releases");
        context.normal("Initialized", "StatefulSet " + name + " on revision " + revision + "; partition held at "
                + progress.replicas() + ": a new template moves no pod until a release lowers it");
        return Next.onChange();
    }
}
