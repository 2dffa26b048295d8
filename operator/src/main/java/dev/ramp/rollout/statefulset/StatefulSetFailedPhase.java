package dev.ramp.rollout.statefulset;

import dev.ramp.api.RolloutStatus;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.Reverts;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.phase.FailedPhase;
import java.time.Duration;

/**
 * A StatefulSet's release rolled back. Until every pod runs the promoted revision again and is
 * ready, the promoted template is written back (from its ControllerRevision) with the partition
 * left where the release had it: the controller moves exactly the ordinals the release moved back,
 * and a template Git puts back meanwhile reaches no other ordinal. Once the template is back, a
 * pod of the failed revision that is not ready is deleted (its controller would wait for it
 * forever, a documented limit of StatefulSets); its volume claims stay. Then the partition returns to
 * the replica count, so nothing Git applies before its revert lands moves a pod. The Git revert
 * ({@link FailedPhase}) runs from the start, beside the restore: the sooner Git declares the
 * promoted template, the sooner a GitSource with selfHeal stops writing the failed one back.
 */
public class StatefulSetFailedPhase extends FailedPhase {

    public StatefulSetFailedPhase(StatefulSetIdlePhase idle, Reverts reverter) {
        super(idle, reverter);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        String promoted = status.getLastPromotedRevision();
        String revision = context.targetRevision();
        boolean newRevision = !revision.equals(promoted) && !revision.equals(status.getLastAppliedRevision());
        StatefulSetProgress progress = StatefulSetProgress.of(context.statefulSet().orElseThrow());
        if (promoted == null || newRevision || progress.allOn(promoted)) {
            // Back on the promoted revision (or a new one to release): at rest, as between any releases.
            return super.handle(context);
        }
        context.effect(new Effect.RestoreTemplate(promoted));
        if (promoted.equals(progress.updateRevision())) {
            // The template is back; a pod of the failed revision that never became ready would hold the
            // controller's rolling update forever (Kubernetes' documented StatefulSet limit): it is
            // deleted, and recreated on the promoted revision with its volume claims.
            context.effect(new Effect.DeleteUnreadyPods(status.getLastAppliedRevision()));
        }
        return Next.soonest(Next.after(Duration.ofSeconds(2)), gitSide(context));
    }

    /** The StatefulSet declares the failed release, or the promoted template Ramp wrote back; not a newer one. */
    @Override
    protected boolean declaresFailedRelease(RolloutContext context) {
        String revision = context.targetRevision();
        return revision.equals(context.status().getLastAppliedRevision()) || revision.equals(context.status().getLastPromotedRevision());
    }
}
