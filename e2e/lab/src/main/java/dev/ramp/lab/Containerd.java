package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lab node's container runtime: Debian's containerd with its CRI plugin, its own root,
 * state, socket and configuration under {@code <lab>/containerd}, runc with cgroupfs, CNI
 * (bridge + host-local + portmap, and loopback, which the CRI adds) on {@link LabNamespace#POD_CIDR}.
 * Images come only from archives imported into it ({@link #importImage}); nothing is pulled.
 * {@link #close} stops what it ran: the Pods' shims (found by this containerd's socket in their
 * command line, stopped by PID), then containerd, then unmounts what is left under its root.
 */
final class Containerd implements AutoCloseable {

    static final String PAUSE_IMAGE = "registry.k8s.io/pause:ramp";

    private final Path dir;
    private final Path home;
    private final Path socket;
    private ChildProcess process;

    Containerd(Path dir) {
        this.dir = dir;
        this.home = dir.resolve("containerd");
        this.socket = home.resolve("containerd.sock");
    }

    Containerd start() throws IOException, InterruptedException {
        Path cni = Files.createDirectories(dir.resolve("cni/net.d"));
        Files.writeString(cni.resolve("10-ramp-lab.conflist"), """
                {"cniVersion": "1.0.0", "name": "ramp-lab", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": true, "hairpinMode": true,
                   "ipam": {"type": "host-local", "dataDir": "%s",
                            "ranges": [[{"subnet": "%s", "gateway": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
                  {"type": "portmap", "capabilities": {"portMappings": true}}
                ]}
                """.formatted(LabNamespace.BRIDGE, dir.resolve("cni/ipam"), LabNamespace.POD_CIDR, LabNamespace.GATEWAY));
        Files.createDirectories(home);
        Path config = home.resolve("config.toml");
        // restrict_oom_score_adj: this kernel refuses negative oom_score_adj, which the CRI gives
        // the sandbox otherwise. No plugin that wants paths outside the lab (opt) or filesystems
        // not here (btrfs, zfs, devmapper, aufs).
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs",
                  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [metrics]
                  address = ""
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%3$s"
                  restrict_oom_score_adj = true
                  disable_tcp_service = true
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  enable_selinux = false
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        BinaryName = "/usr/sbin/runc"
                        Root = "%1$s/runc"
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "/usr/lib/cni"
                    conf_dir = "%4$s"
                    max_conf_num = 1
                """.formatted(home, socket, PAUSE_IMAGE, cni));
        process = ChildProcess.start(dir, "containerd", List.of("/usr/bin/containerd", "--config", config.toString()),
                Map.of());
        Net.await("containerd", Duration.ofSeconds(30), () -> {
            if (!process.alive()) {
                throw new IllegalStateException("containerd exited; see " + process.log());
            }
            return Files.exists(socket);
        });
        return this;
    }

    /** The CRI endpoint the kubelet talks to. */
    String endpoint() {
        return "unix://" + socket;
    }

    /** Imports an image archive (e2e/images/image-archive.sh) into the namespace the CRI reads. */
    void importImage(Path archive) throws IOException, InterruptedException {
        ctr("images", "import", archive.toString());
    }

    String ctr(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/ctr", "--address", socket.toString(), "-n", "k8s.io"));
        command.addAll(List.of(args));
        return LabNamespace.run(dir, command.toArray(String[]::new));
    }

    @Override
    public void close() {
        // The shims outlive containerd by design; each names this containerd's socket.
        String address = socket.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("containerd-shim") && c.contains(address))
                        .orElse(false))
                .forEach(p -> {
                    p.destroyForcibly();
                    p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> p).join();
                });
        if (process != null) {
            process.close();
        }
        Mounts.unmountUnder(dir, home);
    }
}
