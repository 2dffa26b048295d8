package dev.ramp.rollout;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The one place a target that changed during a release is handled, for every releasing phase:
 * the release restarts from the new revision, so nothing unanalysed goes further; a target back
 * on the promoted revision cancels the release instead. The single
 * exception is a primary that already runs the analysed template: that promotion finishes
 * (it needs nothing from the target) with all traffic on the primary, since the canary's pods
 * now run the unanalysed template, and the new revision is released after it.
 */
public class NewRevisionGuard {

    private static final Set<Phase> RELEASING = Set.of(Phase.Progressing, Phase.WaitingPromotion, Phase.Promoting);

    /** The reason (condition Promoted, Event) when the target went back to the promoted revision mid-release. */
    public static final String CANCELLED = "ReleaseCancelled";

    /** What to do next when a new revision took this reconcile; empty to let the phase's handler run. */
    public Optional<Next> apply(RolloutContext context) {
        RolloutStatus status = context.status();
        String revision = context.targetRevision();
        if (!RELEASING.contains(status.getPhase()) || revision.equals(status.getLastAppliedRevision())) {
            return Optional.empty();
        }
        if (status.getPhase() == Phase.Promoting && context.primary()
                .map(Workloads::revisionOf).filter(status.getLastAppliedRevision()::equals).isPresent()) {
            // The canary's pods now run the new template, which nothing has analysed: they lose
            // their share at once (no step, no weight); the primary finishes rolling out.
            status.setCurrentStep(null);
            status.setCanaryWeight(0);
            return Optional.empty();
        }
        if (revision.equals(status.getLastPromotedRevision())) {
            cancel(context, revision);
            return Optional.of(Next.after(Duration.ofMillis(100)));
        }
        Transitions.startRelease(context, revision);
        return Optional.of(Next.after(Duration.ofSeconds(1)));
    }

    /**
     * The target went back to the promoted template (a revert in Git, a `kubectl rollout undo`):
     * there is nothing new to release. The release ends with all traffic on the primary, which
     * already runs that template, and the canary is scaled down; neither Failed (nothing judged
     * the canary bad, so nothing is reverted in Git) nor a release of the stable version.
     */
    private static void cancel(RolloutContext context, String promoted) {
        RolloutStatus status = context.status();
        String cancelled = status.getLastAppliedRevision();
        status.setLastAppliedRevision(promoted);
        status.setLastAppliedCommit(status.getLastPromotedCommit());
        status.setCurrentStep(null);
        status.setCanaryWeight(0);
        status.setCanaryNotReadySince(null);
        Transitions.to(context, Phase.Initialized);
        Transitions.setCondition(context, RolloutConditions.PROMOTED, Conditions.FALSE, CANCELLED, "the target went back to the"
                + " promoted revision " + promoted + " during the release of " + cancelled + "; the release was cancelled");
        context.normal(CANCELLED, "Release of revision " + cancelled + " cancelled: the target went back to the promoted"
                + " revision " + promoted + ", which the primary runs");
        // The canary is scaled to 0 by the Initialized phase once the route has left it.
        Transitions.finished(context, "cancelled");
    }
}
