package dev.ramp.rollout.statefulset;

import dev.ramp.api.StatefulSetReasons;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a StatefulSet's controller reports of it, read for the decisions of a release by partition:
 * whether it observed its spec, which revision its pods are on and how many are ready. The counts
 * are the controller's: {@code currentReplicas} are the pods on {@code currentRevision},
 * {@code updatedReplicas} those on {@code updateRevision}.
 */
public record StatefulSetProgress(int replicas, int partition, boolean rollingUpdate, boolean observed, String currentRevision,
        String updateRevision, int currentReplicas, int updatedReplicas, int readyReplicas) {

    public static StatefulSetProgress of(StatefulSet set) {
        int replicas = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
        var strategy = set.getSpec().getUpdateStrategy();
        boolean rolling = strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType());
        Integer partition = strategy == null || strategy.getRollingUpdate() == null ? null : strategy.getRollingUpdate().getPartition();
        StatefulSetStatus status = set.getStatus();
        long generation = set.getMetadata().getGeneration() == null ? 0 : set.getMetadata().getGeneration();
        boolean observed = status != null && status.getObservedGeneration() != null && status.getObservedGeneration() >= generation
                && status.getUpdateRevision() != null;
        return new StatefulSetProgress(replicas, partition == null ? 0 : partition, rolling, observed,
                status == null ? null : status.getCurrentRevision(), status == null ? null : status.getUpdateRevision(),
                status == null ? 0 : value(status.getCurrentReplicas()), status == null ? 0 : value(status.getUpdatedReplicas()),
                status == null ? 0 : value(status.getReadyReplicas()));
    }

    /**
     * A step holds: the partition is {@code partition}, the controller has seen it, and the
     * ordinals from it up run {@code revision} with every pod ready.
     */
    public boolean stepReady(int partition, String revision) {
        return observed && this.partition == partition && Objects.equals(revision, updateRevision)
                && updatedReplicas >= replicas - partition && readyReplicas >= replicas;
    }

    /**
     * Every pod runs {@code revision} as the controller's current revision and is ready: a
     * promotion completed (partition 0 rolled them all), or a rollback landed (the restored
     * template rolled the moved ordinals back).
     */
    public boolean allOn(String revision) {
        return observed && Objects.equals(revision, currentRevision) && currentReplicas >= replicas && readyReplicas >= replicas;
    }

    /** Why Ramp cannot release this StatefulSet by its partition; empty when it can. */
    public static Optional<String[]> refusal(StatefulSet set, String ownManager) {
        StatefulSetProgress progress = of(set);
        String name = "StatefulSet " + set.getMetadata().getName();
        if (!progress.rollingUpdate()) {
            return Optional.of(new String[] {StatefulSetReasons.ON_DELETE, name + " spec.updateStrategy.type is OnDelete: a partition"
                    + " moves no pod; Ramp releases a StatefulSet with type RollingUpdate"});
        }
        return declaredBy(set, ownManager).map(manager -> new String[] {StatefulSetReasons.PARTITION_DECLARED, name + " "
                + StatefulSetReasons.PARTITION_FIELD + " is set by field manager " + manager + ": Ramp owns that field"
                + " (it holds the partition at the replica count between releases); remove it from the manifest"});
    }

    /**
     * A field manager other than Ramp's whose server-side apply declares the partition (the
     * GitSource's apply of a manifest that sets it, {@code kubectl apply --server-side}). An update's
     * manager (a {@code kubectl create}) may own the defaulted value; it never writes it again, so Ramp
     * takes the field without a fight.
     */
    private static Optional<String> declaredBy(StatefulSet set, String ownManager) {
        if (set.getMetadata().getManagedFields() == null) {
            return Optional.empty();
        }
        for (ManagedFieldsEntry entry : set.getMetadata().getManagedFields()) {
            if (ownManager.equals(entry.getManager()) || !"Apply".equals(entry.getOperation()) || entry.getFieldsV1() == null) {
                continue;
            }
            if (path(entry.getFieldsV1().getAdditionalProperties(), "f:spec", "f:updateStrategy", "f:rollingUpdate", "f:partition")) {
                return Optional.of(entry.getManager());
            }
        }
        return Optional.empty();
    }

    private static boolean path(Map<String, Object> fields, String... keys) {
        Object at = fields;
        for (String key : keys) {
            if (!(at instanceof Map<?, ?> map) || !map.containsKey(key)) {
                return false;
            }
            at = map.get(key);
        }
        return true;
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }
}
