package dev.ramp.rollout;

import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.kube.Conditions;
import java.time.Duration;

/**
 * The status changes several phases share: starting a release, moving to a phase, rolling back,
 * ending. Pure: each changes the status in the context and decides the effects and Events that
 * follow, so `kubectl describe rollout` tells the story once the decision is written.
 */
public final class Transitions {

    private Transitions() {
    }

    public static void to(RolloutContext context, Phase phase) {
        context.status().setPhase(phase);
        context.status().setPhaseSince(Timestamps.format(context.now()));
    }

    /**
     * The release reaches traffic step {@code index} (null: before traffic, while the pre-traffic
     * webhooks are asked): a new step with its own clock, no check and no rollout webhooks passed yet.
     */
    public static void toStep(RolloutContext context, Integer index) {
        context.status().setCurrentStep(new StepStatus(index, Timestamps.format(context.now())));
    }

    /** A check of the current step ran now (before traffic, a new pre-traffic step begins with it if none is recorded). */
    public static void checked(RolloutContext context) {
        RolloutStatus status = context.status();
        if (status.getCurrentStep() == null) {
            toStep(context, null);
        }
        status.getCurrentStep().setLastCheckAt(Timestamps.format(context.now()));
    }

    /**
     * A new revision of the target: the analysis restarts from nothing, with all traffic on the
     * primary (no step), and the target is scaled up as the canary once this is written.
     */
    public static void startRelease(RolloutContext context, String revision) {
        RolloutStatus status = context.status();
        boolean restart = status.getPhase() == Phase.Progressing;
        status.setLastAppliedRevision(revision);
        status.setLastAppliedCommit(context.targetCommit());
        status.setReleaseStartTime(Timestamps.format(context.now()));
        status.setFailedChecks(0);
        status.setInconclusiveChecks(0);
        status.setFailingEvidence(null);
        status.setRollbackCause(null);
        status.setIterations(0);
        toStep(context, null);
        status.setCanaryNotReadySince(null);
        status.setCanaryWeight(0);
        status.getMetrics().clear();
        status.setGitRevert(null);
        status.setConditions(Conditions.without(status.getConditions(), RolloutConditions.GIT_REVERTED));
        context.effect(new Effect.ScaleUpCanary(revision));
        to(context, Phase.Progressing);
        setCondition(context, RolloutConditions.PROMOTED, Conditions.UNKNOWN, "Progressing", "releasing revision " + revision);
        // A new release starts with a clean verdict, so its own configuration errors are reported again.
        setCondition(context, RolloutConditions.ANALYSIS, Conditions.UNKNOWN, "Pending", "no check has run yet for revision " + revision);
        context.normal(restart ? "ReleaseRestarted" : "ReleaseStarted", restart
                ? "new revision " + revision + " during the release: analysis restarts from the first step"
                : "new revision " + revision + " detected: starting the release");
    }

    /** Marks the release Failed with all traffic back on the primary; the canary is scaled to 0 by the Failed phase. */
    public static void rollback(RolloutContext context, String reason, String message) {
        rollback(context, new RollbackCause(reason, message));
    }

    /**
     * As {@link #rollback(RolloutContext, String, String)}, with the cause as data in
     * status.rollbackCause. All traffic goes to the primary before the status is written
     * ({@link Effect.RouteToPrimary}); the canary is scaled to 0 in the next pass (the Failed
     * phase), once the mesh no longer sends it anything.
     */
    public static void rollback(RolloutContext context, RollbackCause cause) {
        RolloutStatus status = context.status();
        context.effect(new Effect.RouteToPrimary());
        status.setCanaryWeight(0);
        status.setCurrentStep(null);
        status.setRollbackCause(cause);
        to(context, Phase.Failed);
        setCondition(context, RolloutConditions.PROMOTED, Conditions.FALSE, cause.getReason(), "rolled back revision "
                + status.getLastAppliedRevision() + ": " + cause.getMessage());
        context.warning("RolledBack", "Rolled back revision " + status.getLastAppliedRevision()
                + " (" + cause.getReason() + "): " + cause.getMessage());
        finished(context, "failed");
    }

    /**
     * A release ended: its duration is measured. The post-rollout hooks are told later, by
     * {@link #notifyPostRollout}, once the end is written in status.
     */
    public static void finished(RolloutContext context, String outcome) {
        Timestamps.parse(context.status().getReleaseStartTime()).ifPresent(started ->
                context.effect(new Effect.ReleaseFinished(outcome, Duration.between(started, context.now()))));
    }

    /**
     * Tells the post-rollout hooks that the release (known by its start time) ended, once:
     * decided in the phase after the end (Succeeded, Failed), so the end is already in status
     * when the hooks hear of it. {@code status.postRolloutNotified} records the intent, and the
     * hooks are called only after that is written: a lost write calls nobody, and no pass calls
     * them twice. Returns whether they are to be called after this pass.
     */
    public static boolean notifyPostRollout(RolloutContext context) {
        RolloutStatus status = context.status();
        String release = status.getReleaseStartTime();
        if (release == null || release.equals(status.getPostRolloutNotified())
                || (status.getPhase() != Phase.Succeeded && status.getPhase() != Phase.Failed)) {
            return false;
        }
        status.setPostRolloutNotified(release);
        context.effect(new Effect.NotifyPostRollout());
        return true;
    }

    public static void setCondition(RolloutContext context, String type, String status, String reason, String message) {
        context.status().setConditions(Conditions.merge(context.status().getConditions(),
                Conditions.of(type, status, reason, message, context.rollout().getMetadata().getGeneration(), context.now())));
    }
}
