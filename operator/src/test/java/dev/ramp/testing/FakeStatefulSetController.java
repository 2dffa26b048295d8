package dev.ramp.testing;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import dev.ramp.rollout.statefulset.StatefulSets;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the StatefulSet controller and the kubelet, which this test cluster lacks, for
 * the StatefulSets of one namespace, every 200 ms: it records each template as a ControllerRevision
 * ({@code <name>-<hash>}, data {@code {"spec":{"template":...}}}), keeps one Pod per ordinal labelled
 * {@code controller-revision-hash}, and rolls a RollingUpdate as the real controller does: one pod
 * at a time from the highest ordinal down to the partition, only while every pod is ready (so a pod
 * that never becomes ready stops the rollout, and a template written back does not replace it: the
 * real controller's known limit); a deleted pod is recreated on the current revision below the
 * partition and on the update revision from it. Each pod gets the claims of the volume claim
 * templates ({@code <template>-<pod>}), created once and never deleted. A pod is ready unless its image is {@link #breaks broken}.
 * Its status: current and update revisions, pods on each, pods ready; the update revision becomes
 * current once every pod runs it ready.
 */
public class FakeStatefulSetController implements AutoCloseable {

    public static final String REVISION_LABEL = "controller-revision-hash";
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(FakeStatefulSetController.class);

    private final KubernetesClient client;
    private final String namespace;
    private final Set<String> broken = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    public FakeStatefulSetController(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        timer.scheduleWithFixedDelay(this::tick, 0, 200, TimeUnit.MILLISECONDS);
    }

    /** Pods running {@code image} never become ready (a crash, a failing readiness probe). */
    public void breaks(String image) {
        broken.add(image);
    }

    private void tick() {
        try {
            for (StatefulSet set : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
                reconcile(set);
            }
        } catch (KubernetesClientException e) {
            // a conflict with a concurrent write; the next tick does it again
        } catch (RuntimeException e) {
            // A fault of this stand-in: told, and the next tick goes on (an executor drops a task that throws).
            LOG.errorf(e, "FakeStatefulSetController in %s", namespace);
        }
    }

    private void reconcile(StatefulSet set) {
        String name = set.getMetadata().getName();
        int replicas = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
        var strategy = set.getSpec().getUpdateStrategy();
        int partition = strategy == null || strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getPartition() == null
                ? 0 : strategy.getRollingUpdate().getPartition();
        String update = record(set);
        String current = set.getStatus() == null || set.getStatus().getCurrentRevision() == null ? update
                : set.getStatus().getCurrentRevision();
        Map<Integer, Pod> pods = new HashMap<>();
        for (Pod pod : client.pods().inNamespace(namespace).withLabel("statefulset.kubernetes.io/pod-name").list().getItems()) {
            String podName = pod.getMetadata().getName();
            if (podName.startsWith(name + "-") && pod.getMetadata().getDeletionTimestamp() == null) {
                pods.put(Integer.parseInt(podName.substring(name.length() + 1)), pod);
            }
        }
        boolean changed = false;
        for (int ordinal = 0; ordinal < replicas && !changed; ordinal++) {
            if (!pods.containsKey(ordinal)) {
                pods.put(ordinal, create(set, ordinal, ordinal < partition ? current : update));
                changed = true;
            }
        }
        for (Pod pod : pods.values()) {
            markReadiness(pod);
        }
        boolean allReady = pods.values().stream().allMatch(FakeStatefulSetController::ready);
        for (int ordinal = replicas - 1; ordinal >= partition && !changed && allReady; ordinal--) {
            Pod pod = pods.get(ordinal);
            if (!update.equals(revisionOf(pod))) {
                client.resource(pod).withGracePeriod(0).delete();
                pods.put(ordinal, create(set, ordinal, update));
                changed = true;
            }
        }
        List<Pod> running = pods.values().stream().filter(p -> Integer.parseInt(p.getMetadata().getName()
                .substring(name.length() + 1)) < replicas).toList();
        int onUpdate = (int) running.stream().filter(p -> update.equals(revisionOf(p))).count();
        int ready = (int) running.stream().filter(FakeStatefulSetController::ready).count();
        if (onUpdate == replicas && ready == replicas) {
            current = update;
        }
        String onCurrentRevision = current;
        int onCurrent = (int) running.stream().filter(p -> onCurrentRevision.equals(revisionOf(p))).count();
        var status = new StatefulSetStatusBuilder().withObservedGeneration(set.getMetadata().getGeneration()).withReplicas(running.size())
                .withCurrentRevision(current).withUpdateRevision(update).withCurrentReplicas(onCurrent).withUpdatedReplicas(onUpdate)
                .withReadyReplicas(ready).withAvailableReplicas(ready).build();
        if (!status.equals(set.getStatus())) {
            set.setStatus(status);
            client.resource(set).updateStatus();
        }
    }

    /** The ControllerRevision of the StatefulSet's template, created if new; its name. */
    private String record(StatefulSet set) {
        String json = Serialization.asJson(set.getSpec().getTemplate());
        String name = set.getMetadata().getName() + "-" + hash(json);
        if (client.apps().controllerRevisions().inNamespace(namespace).withName(name).get() == null) {
            Map<String, Object> data = Map.of("spec", Map.of("template", Serialization.unmarshal(json, Map.class), "$patch", "replace"));
            long number = client.apps().controllerRevisions().inNamespace(namespace).list().getItems().size() + 1L;
            client.resource(new ControllerRevisionBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                    .addToLabels("statefulset", set.getMetadata().getName()).endMetadata()
                    .withData(data).withRevision(number).build()).create();
        }
        return name;
    }

    private Pod create(StatefulSet set, int ordinal, String revision) {
        ControllerRevision stored = client.apps().controllerRevisions().inNamespace(namespace).withName(revision).get();
        PodTemplateSpec template = StatefulSets.templateOf(stored);
        String podName = set.getMetadata().getName() + "-" + ordinal;
        var podSpec = template.getSpec();
        // Each claim template becomes the pod's claim <template>-<pod>, created once and never deleted.
        for (var claim : set.getSpec().getVolumeClaimTemplates()) {
            String claimName = claim.getMetadata().getName() + "-" + podName;
            if (client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get() == null) {
                client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName(claimName).withNamespace(namespace)
                        .endMetadata().withSpec(claim.getSpec()).build()).create();
            }
            podSpec.getVolumes().add(new VolumeBuilder().withName(claim.getMetadata().getName())
                    .withNewPersistentVolumeClaim().withClaimName(claimName).endPersistentVolumeClaim().build());
        }
        return client.resource(new PodBuilder().withNewMetadata().withName(podName).withNamespace(namespace)
                .withLabels(template.getMetadata().getLabels()).addToLabels(REVISION_LABEL, revision)
                .addToLabels("statefulset.kubernetes.io/pod-name", podName).endMetadata()
                .withSpec(podSpec).build()).create();
    }

    private void markReadiness(Pod pod) {
        boolean wanted = pod.getSpec().getContainers().stream().noneMatch(c -> broken.contains(c.getImage()));
        if (ready(pod) == wanted && pod.getStatus() != null && pod.getStatus().getPhase() != null) {
            return;
        }
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(wanted ? "True" : "False").build()).build());
        Pod written = client.resource(pod).updateStatus();
        pod.setStatus(written.getStatus());
        pod.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    }

    /** The revision a pod runs: its {@value #REVISION_LABEL} label. */
    public static String revisionOf(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(REVISION_LABEL);
    }

    public static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String hash(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
