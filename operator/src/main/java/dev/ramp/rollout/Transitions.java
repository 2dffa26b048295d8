package dev.ramp.rollout;

import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.WebhookSpec;
import dev.ramp.hooks.Hooks;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.routing.TrafficRouter;
import dev.ramp.routing.Weights;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * The status changes several phases share: starting a release, moving to a phase, rolling back.
 * Each records an Event, so `kubectl describe rollout` tells the story.
 */
public class Transitions {

    private static final Logger LOG = Logger.getLogger(Transitions.class);
    public static final String PROMOTED = "Promoted";
    public static final String ANALYSIS = "Analysis";
    public static final String GIT_REVERTED = "GitReverted";

    private final Workloads workloads;
    private final TrafficRouter router;
    private final EventRecorder events;
    private final Conditions conditions;
    private final RolloutMetrics metrics;
    private final Hooks hooks;

    public Transitions(Workloads workloads, TrafficRouter router, EventRecorder events, Conditions conditions,
            RolloutMetrics metrics, Hooks hooks) {
        this.hooks = hooks;
        this.workloads = workloads;
        this.router = router;
        this.events = events;
        this.conditions = conditions;
        this.metrics = metrics;
    }

    public void to(RolloutContext context, Phase phase) {
        RolloutStatus status = context.status();
        status.setPhase(phase);
        status.setLastTransitionTime(conditions.now());
    }

    /** A new revision of the target: scale it up as the canary and restart the analysis. */
    public void startRelease(RolloutContext context, String revision) {
        RolloutStatus status = context.status();
        boolean restart = status.getPhase() == Phase.Progressing;
        status.setLastAppliedRevision(revision);
        status.setLastAppliedCommit(context.targetCommit());
        status.setReleaseStartTime(conditions.now());
        status.setFailedChecks(0);
        status.setInconclusiveChecks(0);
        status.setRollbackCause(null);
        status.setIterations(0);
        status.setStep(null);
        status.setRolloutHooksStep(null);
        status.setCanaryNotReadySince(null);
        status.setCanaryWeight(0);
        status.setLastCheckTime(null);
        status.getMetrics().clear();
        status.setRevertCommit(null);
        status.setConditions(Conditions.without(status.getConditions(), GIT_REVERTED));
        router.route(context.rollout(), Weights.ALL_PRIMARY);
        workloads.scaleUpCanary(context.rollout(), context.target(), revision);
        to(context, Phase.Progressing);
        setCondition(context, PROMOTED, Conditions.UNKNOWN, "Progressing", "releasing revision " + revision);
        // A new release starts with a clean verdict, so its own configuration errors are reported again.
        setCondition(context, ANALYSIS, Conditions.UNKNOWN, "Pending", "no check has run yet for revision " + revision);
        String message = (restart ? "new revision " + revision + " during the release: analysis restarts from the first step"
                : "new revision " + revision + " detected: starting the release");
        LOG.infof("rollout %s: %s", context.key(), message);
        events.normal(context.rollout(), restart ? "ReleaseRestarted" : "ReleaseStarted", message);
    }

    /** Routes everything back to the primary at once and marks the release Failed; the canary is scaled to 0 next. */
    public void rollback(RolloutContext context, String reason, String message) {
        rollback(context, new RollbackCause(reason, message));
    }

    /**
     * As {@link #rollback(RolloutContext, String, String)}, with the cause as data in
     * status.rollbackCause. Traffic leaves the canary at once; the canary is scaled to 0 only in
     * the next pass (the Failed phase), once this status is written: were the write lost, the
     * release would resume at its step with its canary still running, never routed to no pods.
     */
    public void rollback(RolloutContext context, RollbackCause cause) {
        RolloutStatus status = context.status();
        router.route(context.rollout(), Weights.ALL_PRIMARY);
        status.setCanaryWeight(0);
        status.setStep(null);
        status.setRollbackCause(cause);
        to(context, Phase.Failed);
        setCondition(context, PROMOTED, Conditions.FALSE, cause.getReason(), "rolled back revision "
                + status.getLastAppliedRevision() + ": " + cause.getMessage());
        LOG.warnf("rollout %s: rolled back (%s): %s", context.key(), cause.getReason(), cause.getMessage());
        events.warning(context.rollout(), "RolledBack", "Rolled back revision " + status.getLastAppliedRevision()
                + " (" + cause.getReason() + "): " + cause.getMessage());
        finished(context, "failed");
    }

    /**
     * A release ended: its duration is measured. The post-rollout hooks are told later, by
     * {@link #notifyPostRollout}, once the end is written in status.
     */
    public void finished(RolloutContext context, String outcome) {
        String started = context.status().getReleaseStartTime();
        if (started != null) {
            metrics.finished(context.rollout().getMetadata().getNamespace(), context.rollout().getMetadata().getName(),
                    outcome, Duration.between(Instant.parse(started), context.now()));
        }
    }

    /**
     * Tells the post-rollout hooks that the release (known by its start time) ended, once:
     * called from the phase after the end (Succeeded, Failed), so the end is already in status
     * when the hooks hear of it, and {@code status.postRolloutNotified} records that they did. A
     * failing hook is only reported. Returns whether the hooks were called in this pass.
     */
    public boolean notifyPostRollout(RolloutContext context) {
        RolloutStatus status = context.status();
        String release = status.getReleaseStartTime();
        if (release == null || release.equals(status.getPostRolloutNotified())
                || (status.getPhase() != Phase.Succeeded && status.getPhase() != Phase.Failed)) {
            return false;
        }
        status.setPostRolloutNotified(release);
        hooks.firstRefusal(context.rollout(), WebhookSpec.Type.PostRollout).ifPresent(answer ->
                events.warning(context.rollout(), "HookFailed", "post-rollout: " + answer.described()));
        return true;
    }

    public void setCondition(RolloutContext context, String type, String status, String reason, String message) {
        context.status().setConditions(Conditions.merge(context.status().getConditions(),
                conditions.of(type, status, reason, message, context.rollout().getMetadata().getGeneration())));
    }

    public EventRecorder events() {
        return events;
    }
}
