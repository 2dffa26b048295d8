package dev.ramp.rollout;

import dev.ramp.api.WebhookReasons;
import dev.ramp.api.WebhookSpec;
import dev.ramp.kube.EventRecorder;
import dev.ramp.kube.Messages;
import dev.ramp.rollout.statefulset.StatefulSets;
import org.jboss.logging.Logger;

/**
 * Carries out what a pass decided, after its status was written: its Events, then the
 * {@link Effect}s in the order decided. Nothing here decides anything. Effects that must happen
 * (the canary's size, the primary's template) are decided again at every pass until the world
 * shows them, so one lost to a conflict is made at the next.
 */
public class Effects {

    private static final Logger LOG = Logger.getLogger(Effects.class);

    private final Workloads workloads;
    private final StatefulSets statefulSets;
    private final AsyncProbes hooks;
    private final RolloutMetrics metrics;
    private final EventRecorder events;

    public Effects(Workloads workloads, StatefulSets statefulSets, AsyncProbes hooks, RolloutMetrics metrics, EventRecorder events) {
        this.workloads = workloads;
        this.statefulSets = statefulSets;
        this.hooks = hooks;
        this.metrics = metrics;
        this.events = events;
    }

    /** Carries out the effects decided, in order; an Event an effect reports is added to the context. */
    public void apply(RolloutContext context) {
        var rollout = context.rollout();
        var statefulSet = context.statefulSet();
        for (Effect effect : context.effects()) {
            if (statefulSet.isPresent() && (effect instanceof Effect.ScaleUpCanary || effect instanceof Effect.ScaleDownCanary
                    || effect instanceof Effect.ApplyPrimary || effect instanceof Effect.RunBaseline
                    || effect instanceof Effect.DeleteBaseline)) {
                // A StatefulSet is released in place: there is no canary to scale, no primary and no baseline.
                continue;
            }
            if (effect instanceof Effect.Partition partition) {
                statefulSets.partition(statefulSet.orElseThrow(), partition.partition());
            } else if (effect instanceof Effect.RestoreTemplate restore) {
                statefulSets.restoreTemplate(statefulSet.orElseThrow(), restore.revision());
            } else if (effect instanceof Effect.DeleteUnreadyPods stuck) {
                statefulSets.deleteUnreadyPods(statefulSet.orElseThrow(), stuck.revision());
            } else if (effect instanceof Effect.ScaleUpCanary up) {
                workloads.scaleUpCanary(rollout, context.target(), context.primary(), up.revision());
            } else if (effect instanceof Effect.RunBaseline run) {
                workloads.runBaseline(rollout, context.target(), context.primary(), context.baseline(), run.promoted());
            } else if (effect instanceof Effect.DeleteBaseline) {
                workloads.deleteBaseline(rollout);
            } else if (effect instanceof Effect.ScaleDownCanary) {
                workloads.scaleDownCanary(rollout, context.target());
            } else if (effect instanceof Effect.ApplyPrimary primary) {
                workloads.applyPrimary(rollout, context.target(), context.primary(), primary.revision());
            } else if (effect instanceof Effect.NotifyPostRollout) {
                // Told off the reconcile thread; a refusal, heard later, is only reported.
                hooks.tellAll(rollout, WebhookSpec.Type.PostRollout, answer -> {
                    String message = "post-rollout: " + answer.described();
                    LOG.warnf("rollout %s: HookFailed: %s", context.key(), Messages.bounded(message));
                    events.warning(rollout, WebhookReasons.HOOK_FAILED, message);
                });
            } else if (effect instanceof Effect.ReleaseFinished finished) {
                metrics.finished(rollout.getMetadata().getNamespace(), rollout.getMetadata().getName(),
                        finished.outcome(), finished.took());
            }
        }
    }

    /**
     * Records the context's Events from the {@code from}-th on, and returns how many it holds: the
     * decision's Events go out right after its status is written, before any effect that could
     * fail, and those an effect reports after it.
     */
    public int tell(RolloutContext context, int from) {
        var notes = context.notes();
        for (RolloutContext.Note note : notes.subList(Math.min(from, notes.size()), notes.size())) {
            if (note.warning()) {
                LOG.warnf("rollout %s: %s: %s", context.key(), note.reason(), Messages.bounded(note.message()));
                events.warning(context.rollout(), note.reason(), note.message());
            } else {
                LOG.infof("rollout %s: %s: %s", context.key(), note.reason(), Messages.bounded(note.message()));
                events.normal(context.rollout(), note.reason(), note.message());
            }
        }
        return notes.size();
    }
}
