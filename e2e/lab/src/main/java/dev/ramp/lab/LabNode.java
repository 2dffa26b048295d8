package dev.ramp.lab;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The cluster lab's one real node, {@value ControlPlane#NODE}: the kubelet, running Pods as
 * containers through the lab's {@link Containerd}, with the node address
 * {@link LabNamespace#GATEWAY}, and kube-proxy in iptables mode, which makes ClusterIPs work
 * inside the lab's network namespace. The kubelet's cgroups live under a cgroup of their own
 * ({@code /ramp-lab-<pid>}, cgroupfs), which {@link #close} empties (SIGKILL to each process in
 * it, by PID) and removes.
 */
final class LabNode implements AutoCloseable {

    private final Path dir;
    private final Path bin;
    private final String cgroupRoot = "/ramp-lab-" + ProcessHandle.current().pid();
    private final List<ChildProcess> processes = new ArrayList<>();

    LabNode(Path dir, Path bin) {
        this.dir = dir;
        this.bin = bin;
    }

    LabNode start(Containerd runtime, Path kubeconfig, KubernetesClient client) throws IOException {
        createCgroupRoot();
        Path kubelet = Files.createDirectories(dir.resolve("kubelet"));
        Path config = kubelet.resolve("config.yaml");
        // Anonymous and AlwaysAllow: the kubelet's API is reachable only inside the lab's
        // namespace. Eviction and image GC thresholds that a shared disk cannot trip; the
        // kernel settings the kubelet checks are masked by LabNamespace.
        Files.writeString(config, """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                address: %s
                readOnlyPort: 0
                healthzBindAddress: 127.0.0.1
                authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
                authorization: {mode: AlwaysAllow}
                cgroupDriver: cgroupfs
                cgroupRoot: %s
                containerRuntimeEndpoint: %s
                failSwapOn: false
                protectKernelDefaults: true
                podLogsDir: %s
                volumePluginDir: %s
                evictionHard: {memory.available: "100Mi", nodefs.available: "1%%", nodefs.inodesFree: "1%%", imagefs.available: "1%%"}
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                serializeImagePulls: false
                shutdownGracePeriod: 0s
                rotateCertificates: false
                """.formatted(LabNamespace.GATEWAY, cgroupRoot, runtime.endpoint(), dir.resolve("pod-logs"),
                kubelet.resolve("volume-plugins")));
        processes.add(ChildProcess.start(dir, "kubelet", List.of(bin.resolve("kubelet").toString(),
                "--config", config.toString(), "--kubeconfig", kubeconfig.toString(), "--root-dir", kubelet.toString(),
                "--cert-dir", kubelet.resolve("pki").toString(),
                "--hostname-override", ControlPlane.NODE, "--node-ip", LabNamespace.GATEWAY), Map.of()));
        processes.add(ChildProcess.start(dir, "kube-proxy", List.of(bin.resolve("kube-proxy").toString(),
                "--kubeconfig", kubeconfig.toString(), "--hostname-override", ControlPlane.NODE,
                "--proxy-mode", "iptables", "--cluster-cidr", LabNamespace.POD_CIDR,
                // The conntrack table's size and timeouts are the machine's, not the namespace's.
                "--conntrack-max-per-core", "0", "--conntrack-tcp-timeout-established", "0",
                "--conntrack-tcp-timeout-close-wait", "0",
                "--healthz-bind-address", "127.0.0.1:10256", "--metrics-bind-address", "127.0.0.1:10249"), Map.of()));
        Net.await("the kubelet's node " + ControlPlane.NODE, Duration.ofSeconds(90), () -> {
            processes.forEach(p -> {
                if (!p.alive()) {
                    throw new IllegalStateException(p + " exited");
                }
            });
            var node = client.nodes().withName(ControlPlane.NODE).get();
            return node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                    && node.getStatus().getConditions().stream()
                            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        return this;
    }

    /** The node's programs (kubelet, kube-proxy) that are no longer running. */
    List<String> exited() {
        return processes.stream().filter(p -> !p.alive()).map(ChildProcess::toString).toList();
    }

    /** The cgroup hierarchies (v1 controllers, and the unified one) this machine mounts. */
    private static List<Path> hierarchies() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("/sys/fs/cgroup"))) {
            List<Path> found = dirs.filter(d -> Files.exists(d.resolve("cgroup.procs"))).toList();
            return found.isEmpty() && Files.exists(Path.of("/sys/fs/cgroup/cgroup.procs"))
                    ? List.of(Path.of("/sys/fs/cgroup")) : found;
        }
    }

    private void createCgroupRoot() throws IOException {
        for (Path hierarchy : hierarchies()) {
            Path cgroup = Files.createDirectories(hierarchy.resolve(cgroupRoot.substring(1)));
            // A new v1 cpuset cgroup has no CPUs or memory nodes: give it its parent's.
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (Files.exists(cgroup.resolve(file))) {
                    Files.writeString(cgroup.resolve(file), Files.readString(hierarchy.resolve(file)).trim());
                }
            }
            // On a node the kubelet's kubepods cgroup sits at the top with the weight of the
            // node's CPUs (1024 shares per core) against the system's processes; here it sits
            // in the lab's cgroup, which gets that weight, so that the Pods compete with the
            // machine's other processes as they would on a node, not as one process would.
            // (cgroup v1's cpu controller. Under v2 the default weight, 100, is left: the kubelet's
            // conversion would give a 2-core node's kubepods 79, less than any other cgroup.)
            if (Files.exists(cgroup.resolve("cpu.shares"))) {
                Files.writeString(cgroup.resolve("cpu.shares"),
                        String.valueOf(Math.min(262_144, 1024L * Runtime.getRuntime().availableProcessors())));
            }
        }
    }

    private void removeCgroupRoot() {
        try {
            List<Path> cgroups = new ArrayList<>();
            for (Path hierarchy : hierarchies()) {
                Path root = hierarchy.resolve(cgroupRoot.substring(1));
                if (Files.isDirectory(root)) {
                    try (Stream<Path> tree = Files.walk(root)) {
                        tree.filter(Files::isDirectory).forEach(cgroups::add);
                    }
                }
            }
            for (int attempt = 0; attempt < 20 && !cgroups.isEmpty(); attempt++) {
                for (Path cgroup : cgroups) {
                    for (String pid : procs(cgroup)) {
                        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                cgroups.sort(Comparator.comparingInt(Path::getNameCount).reversed());
                cgroups.removeIf(c -> c.toFile().delete() || !Files.exists(c));
                if (!cgroups.isEmpty()) {
                    Net.sleep(Duration.ofMillis(250));
                }
            }
            if (!cgroups.isEmpty()) {
                Lab.log("cgroups left behind: " + cgroups);
            }
        } catch (IOException e) {
            Lab.log("removing the node's cgroups: " + e);
        }
    }

    /**
     * The processes in a cgroup; none when runc removed it meanwhile (a container that just
     * stopped: the file is gone, or reading it fails with ENODEV while the cgroup is removed).
     */
    private static List<String> procs(Path cgroup) {
        try {
            return Files.readAllLines(cgroup.resolve("cgroup.procs"));
        } catch (IOException e) {
            if (Files.exists(cgroup.resolve("cgroup.procs"))) {
                Lab.log("reading " + cgroup.resolve("cgroup.procs") + ": " + e);
            }
            return List.of();
        }
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        // The Pods' processes: not children of the lab but of containerd's shims.
        removeCgroupRoot();
        Mounts.unmountUnder(dir, dir.resolve("kubelet"));
    }
}
