package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operator's Pods seen from where an API server outage cannot hide them, every 500 ms: their
 * own health endpoints (what the kubelet's probes get), their containers in the node's containerd
 * (an exit or a restart by the kubelet shows as a task stopped or a new container, whether or not
 * the kubelet can report it), and, whenever the API server answers, the Pods' Ready condition and
 * restart count and the node's Ready condition and taints as the cluster records them. Keeps
 * each change with its time.
 */
final class OperatorWatch implements AutoCloseable {

    private static final Duration TICK = Duration.ofMillis(500);
    private static final Pattern POD_NAME = Pattern.compile("\"io\\.kubernetes\\.pod\\.name\":\\s*\"([^\"]+)\"");

    /** One change: when it was seen, and what it was ("ramp-x: readiness 200 → 503"). */
    record Change(Instant at, String what) {
    }

    private final Containerd containerd;
    private final KubernetesClient api;
    private final Map<String, String> podIps;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            r -> PodRunner.daemon(r, "operator-watch"));
    private final Map<String, String> last = new HashMap<>();
    private final Map<String, String> containerPods = new HashMap<>();
    private final List<Change> changes = new ArrayList<>();
    private int exits;
    private int newContainers;
    private boolean firstContainerLook = true;

    /** Watches the operator Pods named in {@code podIps} (name → IP), asking {@code api} once per tick. */
    OperatorWatch(Containerd containerd, KubernetesClient api, Map<String, String> podIps) {
        this.containerd = containerd;
        this.api = api;
        this.podIps = Map.copyOf(podIps);
        tick();
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void tick() {
        try {
            podIps.forEach((pod, ip) -> {
                note(pod + ": readiness", status("http://" + ip + ":9000/q/health/ready"));
                note(pod + ": liveness", status("http://" + ip + ":9000/q/health/live"));
            });
            containers();
            cluster();
        } catch (RuntimeException e) {
            Lab.log("operator watch: " + e);
        }
    }

    /** The answer's status code, or "no answer". */
    private String status(String url) {
        try {
            return String.valueOf(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            return "no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The operator's containers and their tasks in containerd: exits and new containers. */
    private void containers() {
        try {
            String ids = containerd.ctr("containers", "ls", "-q",
                    "labels.\"io.kubernetes.pod.namespace\"==" + HelmOperator.NAMESPACE
                            + ",labels.\"io.kubernetes.container.name\"==operator");
            Map<String, String> tasks = containerd.ctr("tasks", "ls").lines().skip(1).map(l -> l.trim().split("\\s+"))
                    .filter(f -> f.length >= 3).collect(Collectors.toMap(f -> f[0], f -> f[2] + " (pid " + f[1] + ")",
                            (a, b) -> a));
            for (String id : ids.lines().map(String::trim).filter(l -> !l.isEmpty()).toList()) {
                String pod = containerPods.computeIfAbsent(id, this::podOf);
                String key = pod + ": container " + id.substring(0, 12);
                String state = tasks.getOrDefault(id, "no task");
                if (!last.containsKey(key) && !firstContainerLook) {
                    newContainers++;
                }
                String before = last.get(key);
                if (before != null && before.startsWith("RUNNING") && !state.startsWith("RUNNING")) {
                    exits++;
                }
                note(key, state);
            }
            firstContainerLook = false;
        } catch (IOException e) {
            Lab.log("operator watch: containerd: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String podOf(String container) {
        try {
            Matcher m = POD_NAME.matcher(containerd.ctr("containers", "info", container));
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** What the API server records, when it answers: the Pods' readiness and restarts, the node's. */
    private void cluster() {
        List<Pod> pods;
        Node node;
        try {
            pods = api.pods().inNamespace(HelmOperator.NAMESPACE).withLabel(HelmOperator.SELECTOR, HelmOperator.RELEASE)
                    .list().getItems();
            node = api.nodes().withName(ControlPlane.NODE).get();
        } catch (RuntimeException e) {
            return;
        }
        for (Pod pod : pods) {
            String ready = pod.getStatus().getConditions() == null ? "?" : pod.getStatus().getConditions().stream()
                    .filter(c -> "Ready".equals(c.getType())).map(c -> c.getStatus()).findFirst().orElse("?");
            int restarts = pod.getStatus().getContainerStatuses() == null ? 0 : pod.getStatus().getContainerStatuses()
                    .stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
            note(pod.getMetadata().getName() + " in the API: Ready", ready + ", restarts " + restarts);
        }
        if (node != null) {
            String ready = node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                    .map(c -> c.getStatus()).findFirst().orElse("?");
            List<Taint> taints = node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
            note("node " + ControlPlane.NODE + " in the API: Ready", ready + (taints.isEmpty() ? "" : ", taints "
                    + taints.stream().map(t -> t.getKey() + ":" + t.getEffect()).collect(Collectors.joining(" "))));
        }
    }

    private void note(String key, String state) {
        String before = last.put(key, state);
        if (!state.equals(before)) {
            changes.add(new Change(Instant.now(), key + (before == null ? " " + state : " " + before + " → " + state)));
        }
    }

    /** A Pod's readiness as it answered at the last look ("200", "503", "no answer"). */
    synchronized String readiness(String pod) {
        return last.getOrDefault(pod + ": readiness", "?");
    }

    synchronized List<Change> changes() {
        return List.copyOf(changes);
    }

    /** Operator container tasks seen to stop (the JVM exited or was killed). */
    synchronized int exits() {
        return exits;
    }

    /** Operator containers created after the watch began (the kubelet restarting one). */
    synchronized int newContainers() {
        return newContainers;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
