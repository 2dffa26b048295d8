package dev.ramp.rollout.statefulset;

import dev.ramp.api.StatefulSetLabels;
import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.AnyType;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Objects;

/**
 * Writes what Ramp changes on a StatefulSet target: its partition (by server-side apply under
 * Ramp's field manager, which owns that one field), and, to roll a release back, the pod template
 * of a former revision, read from its ControllerRevision. Nothing else: not the replicas, not the
 * volume claims, not {@code persistentVolumeClaimRetentionPolicy}; no volume claim is deleted, and a
 * pod only when a rollback finds it stuck on the failed revision ({@link #deleteUnreadyPods}).
 */
public class StatefulSets {

    /** The label a StatefulSet's controller puts on each pod: the ControllerRevision it runs. */
    public static final String REVISION_LABEL = StatefulSetLabels.REVISION;

    private final KubernetesClient client;

    public StatefulSets(KubernetesClient client) {
        this.client = client;
    }

    /** Sets the partition to {@code partition}, unless the StatefulSet (as last observed) has it already. */
    public void partition(StatefulSet set, int partition) {
        var strategy = set.getSpec().getUpdateStrategy();
        Integer now = strategy == null || strategy.getRollingUpdate() == null ? null : strategy.getRollingUpdate().getPartition();
        if (now != null && now == partition) {
            return;
        }
        // This field alone: an apply of a typed StatefulSet would also declare its model's empty defaults.
        String desired = Serialization.asJson(Map.of("apiVersion", "apps/v1", "kind", "StatefulSet",
                "metadata", Map.of("name", set.getMetadata().getName(), "namespace", set.getMetadata().getNamespace()),
                "spec", Map.of("updateStrategy", Map.of("rollingUpdate", Map.of("partition", partition)))));
        client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace()).withName(set.getMetadata().getName())
                .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(Managed.FIELD_MANAGER)
                        .withForce(true).build(), desired);
    }

    /**
     * Writes back the pod template of {@code revision} (a ControllerRevision of the StatefulSet, whose
     * data is the patch {@code {"spec":{"template":...}}} its controller recorded), unless the
     * StatefulSet already declares it. The controller then rolls the ordinals from the partition up
     * back to it.
     */
    public void restoreTemplate(StatefulSet set, String revision) {
        String namespace = set.getMetadata().getNamespace();
        ControllerRevision stored = client.apps().controllerRevisions().inNamespace(namespace).withName(revision).get();
        if (stored == null) {
            throw new IllegalStateException("ControllerRevision " + namespace + "/" + revision + " of StatefulSet "
                    + set.getMetadata().getName() + " not found: the template to restore is unknown");
        }
        PodTemplateSpec template = templateOf(stored);
        if (set.getStatus() != null && revision.equals(set.getStatus().getUpdateRevision())
                && Objects.equals(set.getStatus().getObservedGeneration(), set.getMetadata().getGeneration())) {
            return;
        }
        client.apps().statefulSets().inNamespace(namespace).withName(set.getMetadata().getName())
                .edit(s -> new StatefulSetBuilder(s).editSpec().withTemplate(template).endSpec().build());
    }

    /**
     * Deletes the StatefulSet's pods on {@code revision} that are not ready. The pods alone: a
     * pod's deletion leaves its PersistentVolumeClaims (and so its volumes) as they are, and its
     * controller recreates it, with the same claims, on the revision its partition gives it.
     */
    public void deleteUnreadyPods(StatefulSet set, String revision) {
        for (Pod pod : client.pods().inNamespace(set.getMetadata().getNamespace()).withLabel(REVISION_LABEL, revision).list().getItems()) {
            if (pod.getMetadata().getDeletionTimestamp() == null && !Readiness.isPodReady(pod)) {
                client.resource(pod).delete();
            }
        }
    }

    /** The pod template a StatefulSet's ControllerRevision records. */
    public static PodTemplateSpec templateOf(ControllerRevision revision) {
        Object data = revision.getData() instanceof AnyType raw ? raw.getValue() : revision.getData();
        Map<?, ?> patch = data instanceof Map<?, ?> m ? m : Serialization.unmarshal(Serialization.asJson(data), Map.class);
        if (!(patch.get("spec") instanceof Map<?, ?> spec) || spec.get("template") == null) {
            throw new IllegalStateException("ControllerRevision " + revision.getMetadata().getName() + " holds no spec.template");
        }
        return Serialization.unmarshal(Serialization.asJson(spec.get("template")), PodTemplateSpec.class);
    }
}
