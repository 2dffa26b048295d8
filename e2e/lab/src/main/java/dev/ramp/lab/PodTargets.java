package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus' Kubernetes service discovery (role pod), stood in for: Debian's Prometheus is built
 * without {@code kubernetes_sd_configs}, so the lab watches the Pods itself and writes what that
 * discovery would hand the scrape job into a {@code file_sd_configs} file: per container port of
 * each Pod with an IP, a target {@code <pod IP>:<port>} with the same {@code __meta_kubernetes_*}
 * labels (namespace, name, phase, labels and annotations, names sanitised as Prometheus does).
 * The job's relabelling ({@link Prometheus#POD_JOB}) is then the one a cluster's Prometheus runs.
 */
final class PodTargets implements AutoCloseable {

    private final Path file;
    /** Null until the first list is in: events meanwhile write what there is, the constructor writes it all. */
    private volatile SharedIndexInformer<Pod> pods;

    PodTargets(KubernetesClient client, Path file) {
        this.file = file;
        write();
        this.pods = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                write();
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                write();
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                write();
            }
        });
        write();
    }

    /** Rewrites the file whole (a rename, so Prometheus never reads half of it). */
    private synchronized void write() {
        List<Pod> all = pods == null ? List.of() : pods.getStore().list();
        List<Map<String, Object>> groups = all.stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null && !p.getStatus().getPodIP().isEmpty())
                .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
                        .thenComparing(p -> p.getMetadata().getName()))
                .flatMap(p -> targets(p).stream()).toList();
        try {
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(next, Serialization.asJson(groups));
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One target group per container port, as Kubernetes discovery makes them; one without a port if none is declared. */
    private static List<Map<String, Object>> targets(Pod pod) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("__meta_kubernetes_namespace", pod.getMetadata().getNamespace());
        labels.put("__meta_kubernetes_pod_name", pod.getMetadata().getName());
        labels.put("__meta_kubernetes_pod_ip", pod.getStatus().getPodIP());
        labels.put("__meta_kubernetes_pod_phase", String.valueOf(pod.getStatus().getPhase()));
        meta(labels, "__meta_kubernetes_pod_label_", pod.getMetadata().getLabels());
        meta(labels, "__meta_kubernetes_pod_annotation_", pod.getMetadata().getAnnotations());
        String ip = pod.getStatus().getPodIP();
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Container container : pod.getSpec().getContainers()) {
            for (ContainerPort port : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
                Map<String, String> withPort = new LinkedHashMap<>(labels);
                withPort.put("__meta_kubernetes_pod_container_name", container.getName());
                withPort.put("__meta_kubernetes_pod_container_port_number", String.valueOf(port.getContainerPort()));
                if (port.getName() != null) {
                    withPort.put("__meta_kubernetes_pod_container_port_name", port.getName());
                }
                groups.add(Map.of("targets", List.of(ip + ":" + port.getContainerPort()), "labels", withPort));
            }
        }
        if (groups.isEmpty()) {
            groups.add(Map.of("targets", List.of(ip), "labels", labels));
        }
        return groups;
    }

    private static void meta(Map<String, String> labels, String prefix, Map<String, String> values) {
        if (values != null) {
            values.forEach((name, value) -> labels.put(prefix + sanitise(name), value));
        }
    }

    /** Prometheus' label name rule: every character outside {@code [a-zA-Z0-9_]} becomes {@code _}. */
    static String sanitise(String name) {
        return name.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    @Override
    public void close() {
        pods.close();
    }
}
