package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

/**
 * Hears each Rollout's deletion from the controller's own informer (Java Operator SDK tells every
 * {@link ResourceEventAware} event source) and removes its series from {@link RolloutMetrics}.
 * Rollouts have no finalizer, so no reconcile ever sees one being deleted; this wakes nothing.
 */
class DeletedRollouts extends SimpleInboundEventSource<Rollout> implements ResourceEventAware<Rollout> {

    private final RolloutMetrics metrics;

    DeletedRollouts(RolloutMetrics metrics) {
        super("rollout-deletions");
        this.metrics = metrics;
    }

    @Override
    public void onResourceDeleted(Rollout rollout) {
        metrics.forget(rollout.getMetadata().getNamespace(), rollout.getMetadata().getName());
    }
}
