package dev.ramp.rollout.statefulset;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutStatus;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.phase.IdlePhase;
import java.time.Duration;

/**
 * A StatefulSet between releases (Initialized, Succeeded; Failed once its pods are back, through
 * {@link StatefulSetFailedPhase}): the partition is held at the replica count, so a new template
 * moves no pod; a new revision ({@code status.updateRevision}) starts a release. One equal to the
 * promoted revision or to the last failed one starts nothing: Git putting a rolled-back template
 * back before its revert lands moves no pod.
 */
public class StatefulSetIdlePhase extends IdlePhase {

    @Override
    public Next handle(RolloutContext context) {
        boolean notified = Transitions.notifyPostRollout(context);
        RolloutStatus status = context.status();
        StatefulSetProgress progress = StatefulSetProgress.of(context.statefulSet().orElseThrow());
        context.effect(new Effect.Partition(progress.replicas()));
        String revision = context.targetRevision();
        if (revision.equals(status.getLastPromotedRevision()) || revision.equals(status.getLastAppliedRevision())) {
            // After a rollback the StatefulSet declares the promoted template Ramp wrote back, while Git
            // may still declare the failed one: the failed revision stays recorded, for its revert and
            // so that Git applying it again starts nothing.
            if (revision.equals(status.getLastPromotedRevision()) && status.getPhase() != Phase.Failed) {
                status.setLastAppliedRevision(revision);
            }
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
