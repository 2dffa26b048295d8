package dev.ramp.lab;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Ramp as users install it, in the cluster lab: the operator's image, which the Maven build puts
 * into podman's storage ({@code ramp/operator:<version>}), saved and imported into the node's
 * containerd, then {@code helm install ramp charts/ramp} (helm-java, Helm's own Go code) into
 * {@value #NAMESPACE} with two replicas electing a leader through the Lease {@value #LEASE}. The
 * operator runs as Pods under the chart's ServiceAccount and RBAC, reaches the API server through
 * the {@code kubernetes} Service, Prometheus and Git at the node's address, and receives push
 * webhooks through the chart's Service.
 */
final class HelmOperator implements AutoCloseable {

    static final String NAMESPACE = "ramp-system";
    static final String RELEASE = "ramp";
    static final String LEASE = "ramp-operator";
    static final String SELECTOR = "app.kubernetes.io/instance";

    private final Path dir;
    private final Path root;
    private final Path chart;
    private final KubernetesClient client;
    private final Path kubeconfig;
    /** When {@link #killLeader} last killed the leader, until a leader renews the Lease after it. */
    private volatile Instant killed;

    HelmOperator(Path dir, Path root, KubernetesClient client, Path kubeconfig) {
        this.dir = dir;
        this.root = root;
        this.chart = root.resolve("charts/ramp");
        this.client = client;
        this.kubeconfig = kubeconfig;
    }

    /** The image the build makes and the chart deploys by default: {@code ramp/operator:<appVersion>}. */
    static String image(Path root) throws IOException {
        String version = Files.readAllLines(root.resolve("charts/ramp/Chart.yaml")).stream()
                .filter(l -> l.startsWith("appVersion:")).map(l -> l.substring(l.indexOf(':') + 1).trim().replace("\"", ""))
                .findFirst().orElseThrow();
        return "ramp/operator:" + version;
    }

    /** Why the operator's image cannot be installed here, or empty when podman holds it. */
    static Optional<String> imageUnavailable(Path root) {
        try {
            String image = image(root);
            Process p = new ProcessBuilder("podman", "image", "exists", image).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? Optional.empty() : Optional.of("image " + image + " not in podman's storage: build it"
                    + " with ./mvnw -B -pl operator -am -DskipTests package (the operator's image profile)");
        } catch (IOException e) {
            return Optional.of("podman not usable (" + e.getMessage() + "): the operator's image cannot be read");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * Imports the image into containerd under the name the chart's default repository resolves to
     * ({@code docker.io/ramp/operator}; podman calls it {@code localhost/ramp/operator}), and installs
     * the chart with the lab's addresses; returns once both replicas run and one holds the Lease.
     */
    HelmOperator install(Containerd containerd, String prometheus) throws Exception {
        long begin = System.nanoTime();
        String image = image(root);
        Path archive = Files.createDirectories(dir.resolve("images")).resolve("operator.tar");
        Files.deleteIfExists(archive);
        LabNamespace.run(dir, "podman", "save", "--format", "docker-archive", "-o", archive.toString(), image);
        containerd.importImage(archive);
        containerd.ctr("images", "tag", "--force", "localhost/" + image, "docker.io/" + image);
        Files.delete(archive);
        Path values = dir.resolve("ramp-values.yaml");
        // What the lab changes from the chart's defaults: two replicas, an image that is never
        // pulled, the lab's Prometheus, the ServiceAccount its GitSources act as, and the lab's
        // Gateway (Traefik's, in another namespace) for apps on the Gateway API.
        Files.writeString(values, """
                replicaCount: 2
                image:
                  pullPolicy: Never
                prometheus:
                  address: %s
                sync:
                  serviceAccountNames: [%s]
                routing:
                  allowedGateways: [%s/%s]
                """.formatted(prometheus, LabApp.DEPLOYER, TraefikGateway.NAMESPACE, TraefikGateway.GATEWAY));
        new Helm(chart).install().withName(RELEASE).withNamespace(NAMESPACE).createNamespace()
                .withKubeConfig(kubeconfig).withValuesFile(values).call();
        Lab.log("helm install %s %s -n %s -f %s (image %s imported)".formatted(RELEASE, chart, NAMESPACE, values, image));
        awaitReplicas(Duration.ofSeconds(240));
        Lab.log("operator up in %.1fs: pods %s, leader %s".formatted((System.nanoTime() - begin) / 1e9,
                pods().stream().map(p -> p.getMetadata().getName()).toList(), leader().orElseThrow()));
        return this;
    }

    /** Waits until both replicas run and are Ready, one of them holding the Lease. */
    void awaitReplicas(Duration within) {
        Net.await("two operator Pods running and Ready, one of them holding the Lease " + LEASE, within,
                () -> pods().stream().filter(p -> running(p) && PodRunner.ready(p)).count() == 2 && leaderReady());
    }

    private boolean leaderReady() {
        Optional<String> leader = leader();
        return leader.isPresent() && pods().stream().anyMatch(p -> p.getMetadata().getName().equals(leader.get())
                && running(p) && PodRunner.ready(p));
    }

    /**
     * Waits until a running, ready operator Pod holds the Lease and, after {@link #killLeader},
     * has renewed it since the kill (until then the Lease still names the killed Pod).
     */
    void awaitLeader() {
        Instant since = killed;
        Net.await("a ready operator Pod holding the Lease " + LEASE + (since == null ? "" : ", renewed since the kill"),
                Duration.ofSeconds(120), () -> leaderReady() && (since == null || renewedAfter(since)));
        Lab.log("operator Pod " + leader().orElseThrow() + " holds the Lease"
                + (since == null ? "" : ", %.1fs after the kill".formatted(Duration.between(since, Instant.now()).toMillis() / 1e3)));
        killed = null;
    }

    private boolean renewedAfter(Instant instant) {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        return lease != null && lease.getSpec().getRenewTime() != null
                && lease.getSpec().getRenewTime().toInstant().isAfter(instant);
    }

    /**
     * Kills the container of the Pod holding the Lease with SIGKILL through containerd, as a crash
     * would: the Lease is not released, so the other replica takes it only once it expires, and
     * the kubelet restarts the container.
     */
    void killLeader(Containerd containerd) throws IOException, InterruptedException {
        String leader = leader().orElseThrow(() -> new IllegalStateException("no operator Pod holds the Lease"));
        Pod pod = client.pods().inNamespace(NAMESPACE).withName(leader).get();
        String container = Optional.ofNullable(pod).map(Pod::getStatus).map(s -> s.getContainerStatuses())
                .filter(statuses -> !statuses.isEmpty()).map(statuses -> statuses.get(0).getContainerID())
                .map(id -> id.replaceFirst("^containerd://", ""))
                .orElseThrow(() -> new IllegalStateException("the Lease holder " + leader + " has no running container"));
        containerd.ctr("tasks", "kill", "--signal", "SIGKILL", container);
        // From here on no renewal can come from the killed JVM.
        killed = Instant.now();
        Lab.log("operator Pod " + leader + " killed (SIGKILL to its container " + container.substring(0, 12) + ")");
    }

    private static boolean running(Pod pod) {
        return "Running".equals(pod.getStatus().getPhase()) && pod.getMetadata().getDeletionTimestamp() == null;
    }

    /** The operator's Pods, as the chart labels them. */
    List<Pod> pods() {
        return client.pods().inNamespace(NAMESPACE).withLabel(SELECTOR, RELEASE).list().getItems();
    }

    /** The Pod holding the leader Lease (its holder identity is the Pod's name), if any. */
    Optional<String> leader() {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        return Optional.ofNullable(lease).map(Lease::getSpec).map(s -> s.getHolderIdentity()).filter(h -> !h.isBlank());
    }

    /** A leader failover: the Pod deleted, the Pod holding the Lease next, and how long that took. */
    record Failover(String deleted, String next, Duration leaseTakenOver) {
    }

    /**
     * Deletes the Pod holding the Lease, gracefully as {@code kubectl delete pod} does, and waits
     * until another Pod holds it; the time is from the delete request to the new holder seen
     * (polled every 100 ms).
     */
    Failover deleteLeader() {
        String leader = leader().orElseThrow(() -> new IllegalStateException("no operator Pod holds the Lease"));
        long deleted = System.nanoTime();
        client.pods().inNamespace(NAMESPACE).withName(leader).delete();
        String[] next = new String[1];
        Net.awaitEvery("another operator Pod holding the Lease " + LEASE, Duration.ofSeconds(90), Duration.ofMillis(100),
                () -> {
                    next[0] = leader().orElse(leader);
                    return !next[0].equals(leader);
                });
        Failover failover = new Failover(leader, next[0], Duration.ofNanos(System.nanoTime() - deleted));
        Lab.log("leader failover: %s deleted, %s holds the Lease %.1fs later".formatted(leader, next[0],
                failover.leaseTakenOver().toMillis() / 1e3));
        return failover;
    }

    /** Push webhooks go to the chart's Service, as a Git host in the cluster's network would send them. */
    String webhookUrl(String namespace, String gitSource) {
        String ip = client.services().inNamespace(NAMESPACE).withName(RELEASE + "-webhook").get().getSpec().getClusterIP();
        return "http://" + ip + ":8080/hooks/" + namespace + "/" + gitSource;
    }

    /** Logs of every operator container, for a failing test's output. */
    String logs() {
        StringBuilder out = new StringBuilder();
        for (Pod pod : pods()) {
            try {
                out.append("== ").append(pod.getMetadata().getName()).append('\n').append(client.pods()
                        .inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).tailingLines(200).getLog());
            } catch (RuntimeException e) {
                out.append(e).append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        // The Pods go with the node (LabNode stops every process in its cgroup); nothing else runs.
        try {
            Files.writeString(dir.resolve("operator-pods.log"), logs());
        } catch (IOException | RuntimeException e) {
            Lab.log("operator logs: " + e);
        }
    }
}
