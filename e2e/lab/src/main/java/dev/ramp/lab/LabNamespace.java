package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network and mount namespaces the cluster lab runs in, made by {@code e2e/lab/netns.sh}
 * around the lab's JVM: it checks the lab really is in them (so nothing here ever touches the
 * machine's own interfaces or mounts), then lays out the node's network, the Pods' bridge
 * {@value #BRIDGE} with the gateway {@value #GATEWAY}, which is also the node's and the API
 * server's address, and masks what the kubelet would otherwise change on the machine.
 */
final class LabNamespace {

    static final String BRIDGE = "cni0";
    static final String GATEWAY = "10.88.0.1";
    static final String POD_CIDR = "10.88.0.0/16";
    static final String SERVICE_CIDR = "10.96.0.0/16";

    /**
     * Kernel settings the kubelet insists on (it writes them unless protectKernelDefaults, then
     * refuses to start): they are global, not per namespace, so the lab shows the kubelet files
     * holding its values, bind-mounted over /proc/sys in the lab's own mount namespace only.
     */
    private static final Map<String, String> KUBELET_SYSCTLS = Map.of("vm/overcommit_memory", "1",
            "vm/panic_on_oom", "0", "kernel/panic", "10", "kernel/panic_on_oops", "1");

    /**
     * Paths containerd, CNI and the kubelet use whatever their configuration says (shim sockets,
     * the Pods' netns files, IPAM results, device-plugin sockets, log links): each gets a private
     * tmpfs in the lab's mount namespace, so that nothing of the lab lands in the machine's own.
     * Only the empty directories they are mounted on are left there.
     */
    private static final List<String> FIXED_PATHS = List.of("/run/containerd", "/run/netns", "/var/lib/cni",
            "/var/lib/kubelet", "/var/log/containers");

    private LabNamespace() {
    }

    /** Why the cluster mode cannot run in this process, or empty when it can. */
    static Optional<String> unavailable() {
        List<String> reasons = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            reasons.add("not root");
        }
        String outer = System.getenv("RAMP_LAB_NETNS");
        if (outer == null || outer.isBlank()) {
            reasons.add("not started by e2e/lab/netns.sh (RAMP_LAB_NETNS unset)");
        } else if (outer.contains(namespace("net")) || outer.contains(namespace("mnt"))) {
            reasons.add("still in the namespaces netns.sh left (" + outer + ")");
        }
        for (String tool : List.of("/usr/bin/containerd", "/usr/bin/ctr", "/usr/sbin/runc", "/usr/lib/cni/bridge",
                "/usr/lib/cni/host-local", "/usr/lib/cni/portmap", "/usr/lib/cni/loopback", "/usr/sbin/iptables",
                "/usr/sbin/ip")) {
            if (!Files.isExecutable(Path.of(tool))) {
                reasons.add(tool + " missing (Debian: containerd runc containernetworking-plugins iptables iproute2)");
            }
        }
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    private static String namespace(String kind) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/" + kind)).toString();
        } catch (IOException e) {
            return "unknown " + kind;
        }
    }

    /**
     * Prepares the namespaces: refuses if they are not the lab's own, creates the bridge with
     * the gateway address, mounts a private tmpfs on each of {@link #FIXED_PATHS}, and masks the
     * kubelet's kernel settings.
     */
    static void prepare(Path dir) throws IOException, InterruptedException {
        Optional<String> reason = unavailable();
        if (reason.isPresent()) {
            throw new IllegalStateException("the cluster lab needs its own namespaces: " + reason.get()
                    + "; run it through e2e/lab/netns.sh as root");
        }
        run(dir, "ip", "link", "add", BRIDGE, "type", "bridge");
        run(dir, "ip", "addr", "add", GATEWAY + "/16", "dev", BRIDGE);
        run(dir, "ip", "link", "set", BRIDGE, "up");
        // A local client's packet needs a route before kube-proxy's DNAT rewrites it; the
        // namespace has no default route, so ClusterIPs get one through the bridge.
        run(dir, "ip", "route", "add", SERVICE_CIDR, "dev", BRIDGE);
        for (String path : FIXED_PATHS) {
            Files.createDirectories(Path.of(path));
            run(dir, "mount", "-t", "tmpfs", "-o", "mode=0711", "ramp-lab", path);
        }
        Path sysctls = Files.createDirectories(dir.resolve("sysctl"));
        for (Map.Entry<String, String> e : KUBELET_SYSCTLS.entrySet()) {
            Path file = sysctls.resolve(e.getKey().replace('/', '.'));
            Files.writeString(file, e.getValue() + "\n");
            run(dir, "mount", "--bind", "-o", "ro", file.toString(), "/proc/sys/" + e.getKey());
        }
    }

    /** Runs a command to its end; fails with its output when it does not exit 0. */
    static String run(Path dir, String... command) throws IOException, InterruptedException {
        return GitServer.run(dir, command);
    }
}
