package dev.ramp.rollout;

import dev.ramp.api.WebhookSpec;
import dev.ramp.hooks.Hooks;
import dev.ramp.kube.EventRecorder;
import org.jboss.logging.Logger;

/**
 * Carries out what a pass decided, after its status was written: the {@link Effect}s, in the
 * order decided, then the Events. Nothing here decides anything.
 */
public class Effects {

    private static final Logger LOG = Logger.getLogger(Effects.class);

    private final Workloads workloads;
    private final Hooks hooks;
    private final RolloutMetrics metrics;
    private final EventRecorder events;

    public Effects(Workloads workloads, Hooks hooks, RolloutMetrics metrics, EventRecorder events) {
        this.workloads = workloads;
        this.hooks = hooks;
        this.metrics = metrics;
        this.events = events;
    }

    public void apply(RolloutContext context) {
        var rollout = context.rollout();
        for (Effect effect : context.effects()) {
            if (effect instanceof Effect.ScaleUpCanary up) {
                workloads.scaleUpCanary(context.target(), context.primary(), up.revision());
            } else if (effect instanceof Effect.ScaleDownCanary) {
                workloads.scaleDownCanary(context.target());
            } else if (effect instanceof Effect.ApplyPrimary primary) {
                workloads.applyPrimary(rollout, context.target(), context.primary(), primary.revision());
            } else if (effect instanceof Effect.NotifyPostRollout) {
                hooks.firstRefusal(rollout, WebhookSpec.Type.PostRollout)
                        .ifPresent(answer -> context.warning("HookFailed", "post-rollout: " + answer.described()));
            } else if (effect instanceof Effect.ReleaseFinished finished) {
                metrics.finished(rollout.getMetadata().getNamespace(), rollout.getMetadata().getName(),
                        finished.outcome(), finished.took());
            }
        }
        for (RolloutContext.Note note : context.notes()) {
            if (note.warning()) {
                LOG.warnf("rollout %s: %s: %s", context.key(), note.reason(), note.message());
                events.warning(rollout, note.reason(), note.message());
            } else {
                LOG.infof("rollout %s: %s: %s", context.key(), note.reason(), note.message());
                events.normal(rollout, note.reason(), note.message());
            }
        }
    }
}
