package dev.ramp.rollout;

import dev.ramp.api.Phase;
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
        status.setReleaseStartTime(conditions.now());
        status.setFailedChecks(0);
        status.setIterations(0);
        status.setStep(null);
        status.setCanaryWeight(0);
        status.setLastCheckTime(null);
        status.getMetrics().clear();
        status.setRevertCommit(null);
        status.setConditions(Conditions.without(status.getConditions(), GIT_REVERTED));
        router.route(context.rollout(), Weights.ALL_PRIMARY);
        workloads.scaleUpCanary(context.rollout(), context.target());
        to(context, Phase.Progressing);
        setCondition(context, PROMOTED, Conditions.UNKNOWN, "Progressing", "releasing revision " + revision);
        // A new release starts with a clean verdict, so its own configuration errors are reported again.
        setCondition(context, ANALYSIS, Conditions.UNKNOWN, "Pending", "no check has run yet for revision " + revision);
        String message = (restart ? "new revision " + revision + " during the release: analysis restarts from the first step"
                : "new revision " + revision + " detected: starting the release");
        LOG.infof("rollout %s: %s", context.key(), message);
        events.normal(context.rollout(), restart ? "ReleaseRestarted" : "ReleaseStarted", message);
    }

    /** Routes everything back to the primary at once, scales the canary to 0 and marks the release Failed. */
    public void rollback(RolloutContext context, String reason, String message) {
        RolloutStatus status = context.status();
        router.route(context.rollout(), Weights.ALL_PRIMARY);
        workloads.scaleDownCanary(context.target());
        status.setCanaryWeight(0);
        status.setStep(null);
        to(context, Phase.Failed);
        setCondition(context, PROMOTED, Conditions.FALSE, reason, rolledBack(status.getLastAppliedRevision()) + message);
        LOG.warnf("rollout %s: rolled back: %s", context.key(), message);
        events.warning(context.rollout(), "RolledBack", "Rolled back revision " + status.getLastAppliedRevision()
                + " (" + reason + "): " + message);
        finished(context, "failed");
    }

    private static String rolledBack(String revision) {
        return "rolled back revision " + revision + ": ";
    }

    /** Why the last release was rolled back, as {@link #rollback} recorded it in the Promoted condition. */
    public static String rollbackCause(RolloutStatus status) {
        String prefix = rolledBack(status.getLastAppliedRevision());
        return Conditions.find(status.getConditions(), PROMOTED).map(c -> c.getMessage())
                .map(m -> m.startsWith(prefix) ? m.substring(prefix.length()) : m).orElse("the release failed");
    }

    /** A release ended: its duration is measured and the post-rollout hooks told (a failing hook is only reported). */
    public void finished(RolloutContext context, String outcome) {
        String started = context.status().getReleaseStartTime();
        if (started != null) {
            metrics.finished(context.rollout().getMetadata().getNamespace(), context.rollout().getMetadata().getName(),
                    outcome, Duration.between(Instant.parse(started), context.now()));
        }
        hooks.firstRefusal(context.rollout(), WebhookSpec.Type.PostRollout).ifPresent(answer ->
                events.warning(context.rollout(), "HookFailed", "post-rollout: " + answer.message()));
    }

    public void setCondition(RolloutContext context, String type, String status, String reason, String message) {
        context.status().setConditions(Conditions.merge(context.status().getConditions(),
                conditions.of(type, status, reason, message, context.rollout().getMetadata().getGeneration())));
    }

    public EventRecorder events() {
        return events;
    }
}
