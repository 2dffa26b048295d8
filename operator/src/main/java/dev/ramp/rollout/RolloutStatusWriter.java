package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Messages;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.Optional;

/**
 * Owns the writes of a Rollout's status: where a pass starts from (the cached copy, or this
 * writer's own newer write, {@link RecentWrites}), the write of what the pass decided, and the
 * Ready condition a failed pass leaves. Each write replaces only the status the pass started from.
 */
final class RolloutStatusWriter {

    private final RecentWrites writes;
    private final Conditions conditions;

    RolloutStatusWriter(Conditions conditions, Clock clock) {
        this.conditions = conditions;
        this.writes = new RecentWrites(clock);
    }

    /**
     * The Rollout a pass starts from: the cached copy unless this writer wrote a newer one, read
     * from the API server when the two cannot be compared; empty when it is gone.
     */
    Optional<Rollout> latest(KubernetesClient client, Rollout cached) {
        return writes.freshest(cached).or(() -> Optional.ofNullable(client.resources(Rollout.class)
                .inNamespace(cached.getMetadata().getNamespace()).withName(cached.getMetadata().getName()).get()));
    }

    /** The status as a pass starts from it, to tell whether the pass changed it. */
    static String snapshot(Rollout rollout) {
        return Serialization.asJson(rollout.getStatus());
    }

    /**
     * Writes the status the pass decided, when it differs from {@code before}, with the
     * resourceVersion read at the start of the pass. A 409 means the Rollout changed meanwhile:
     * when only its metadata or spec did (a GitSource stamping its commit annotation), the status
     * is still the one this pass decided from, and it is written again on the new version; when
     * the status itself changed (a deposed leader's pass, a stale read), the 409 is thrown, this
     * pass's decision is dropped and the next pass starts from the latest status.
     */
    void write(KubernetesClient client, Rollout rollout, String before) {
        if (snapshot(rollout).equals(before)) {
            return;
        }
        var resource = client.resources(Rollout.class).inNamespace(rollout.getMetadata().getNamespace());
        Rollout written;
        try {
            written = resource.resource(rollout).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            Rollout latest = resource.withName(rollout.getMetadata().getName()).get();
            if (latest == null || !snapshot(latest).equals(before)) {
                throw e;
            }
            rollout.getMetadata().setResourceVersion(latest.getMetadata().getResourceVersion());
            written = resource.resource(rollout).updateStatus();
        }
        writes.wrote(written);
    }

    /**
     * Puts a failed pass's Ready condition onto the latest status, under its resourceVersion, never
     * the whole copy JOSDK handed over (it may be older than the status last written). Nothing is
     * written when the condition already says the same, or when there is no status yet.
     */
    void readyCondition(KubernetesClient client, Rollout rollout, String status, String reason, String message) {
        var resource = client.resources(Rollout.class).inNamespace(rollout.getMetadata().getNamespace());
        Rollout latest = resource.withName(rollout.getMetadata().getName()).get();
        if (latest == null || latest.getStatus() == null) {
            return;
        }
        RolloutStatus current = latest.getStatus();
        // Compared as the condition stores the message (cut and redacted), so an unchanged error is not written again.
        String stored = Messages.bounded(message);
        boolean same = Conditions.find(current.getConditions(), RolloutConditions.READY).map(c -> status.equals(c.getStatus())
                && reason.equals(c.getReason()) && stored.equals(c.getMessage())).orElse(false);
        if (!same) {
            current.setConditions(Conditions.merge(current.getConditions(), conditions.of(RolloutConditions.READY, status, reason,
                    message, latest.getMetadata().getGeneration())));
            resource.resource(latest).updateStatus();
        }
    }
}
