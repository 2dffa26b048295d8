package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a {@link DemoService} for every Ready Pod that kwok placed on the lab's node, bound to the
 * Pod's IP, and stops it when the Pod terminates. kwok fakes the kubelet's status reports; this
 * is the part of the kubelet that would run the container.
 */
final class PodRunner implements Endpoints, AutoCloseable {

    private final SharedIndexInformer<Pod> pods;
    private final Map<String, DemoService> running = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(32, r -> daemon(r, "demo-pod"));
    private final ScheduledExecutorService resync = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pod-runner"));

    PodRunner(KubernetesClient client) {
        pods = client.pods().inAnyNamespace().inform();
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                reconcile();
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                reconcile();
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                reconcile();
            }
        });
        // A bind can fail while the address is still held by a pod just deleted; try again soon.
        resync.scheduleWithFixedDelay(this::reconcile, 1, 1, TimeUnit.SECONDS);
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A Pod gets traffic only once its process listens, as a readiness probe would ensure. */
    boolean serving(Pod pod) {
        return running.containsKey(key(pod));
    }

    /** The Pods of a namespace that match a Service's selector and serve now, none being deleted: its endpoints. */
    @Override
    public java.util.List<Pod> endpoints(String namespace, Map<String, String> selector) {
        return pods.getStore().list().stream()
                .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && ready(p) && serving(p)
                        && p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getMetadata().getLabels() != null
                        && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
    }

    /** The Deployment a Pod belongs to: its ReplicaSet's name without the pod-template-hash. */
    static String workload(Pod pod) {
        var owners = pod.getMetadata().getOwnerReferences();
        if (owners == null || owners.isEmpty()) {
            return pod.getMetadata().getName();
        }
        String replicaSet = owners.get(0).getName();
        String hash = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get("pod-template-hash");
        return hash != null && replicaSet.endsWith("-" + hash)
                ? replicaSet.substring(0, replicaSet.length() - hash.length() - 1) : replicaSet;
    }

    int count() {
        return running.size();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getUid() + "@" + pod.getStatus().getPodIP();
    }

    static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                && pod.getStatus().getPodIP() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private synchronized void reconcile() {
        Map<String, Pod> wanted = pods.getStore().list().stream().filter(PodRunner::ready)
                .collect(Collectors.toMap(PodRunner::key, p -> p, (a, b) -> a));
        for (String key : Set.copyOf(running.keySet())) {
            if (!wanted.containsKey(key)) {
                // Out of the endpoints at once, but requests already sent to it are still answered,
                // as a container gets its termination grace period.
                DemoService stopping = running.remove(key);
                resync.schedule(stopping::close, 2, TimeUnit.SECONDS);
            }
        }
        wanted.forEach((key, pod) -> {
            if (!running.containsKey(key)) {
                try {
                    running.put(key, new DemoService(pod.getMetadata().getName(), pod.getStatus().getPodIP(),
                            DemoService.Behaviour.of(pod), workers));
                } catch (IOException | RuntimeException e) {
                    // address still in use or a template the demo cannot read: retried at the next resync
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        resync.shutdownNow();
        pods.close();
        running.values().forEach(DemoService::close);
        running.clear();
        workers.shutdownNow();
    }
}
