package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes control plane on loopback, from the binaries e2e/controlplane/build.sh builds: etcd,
 * kube-apiserver, kube-controller-manager (Deployments roll through ReplicaSets),
 * kube-scheduler (binds Pods) and kwok, which stands in for the kubelet: it manages one fake
 * Node and marks the Pods bound to it Running and Ready, with IPs from the Node's podCIDR, a
 * loopback range (127.N.0.0/16), so the lab can serve each Pod on its own address.
 */
final class ControlPlane implements AutoCloseable {

    static final String NODE = "lab-node";

    private final Path dir;
    private final Path bin;
    private final String podCidr;
    private final List<ChildProcess> processes = new ArrayList<>();
    private Path kubeconfig;
    private KubernetesClient client;

    ControlPlane(Path dir, Path bin, int podNet) {
        this.dir = dir;
        this.bin = bin;
        this.podCidr = "127." + podNet + ".0.0/16";
    }

    ControlPlane start() throws IOException {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        writeServiceAccountKeys(pki);
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Files.writeString(pki.resolve("tokens.csv"), token + ",admin,admin,system:masters\n");
        int etcdPort = Net.freePort();
        int etcdPeerPort = Net.freePort();
        int apiPort = Net.freePort();
        String etcd = "http://127.0.0.1:" + etcdPort;
        processes.add(ChildProcess.start(dir, "etcd", List.of(bin.resolve("etcd").toString(),
                "--data-dir", dir.resolve("etcd").toString(), "--listen-client-urls", etcd, "--advertise-client-urls", etcd,
                "--listen-peer-urls", "http://127.0.0.1:" + etcdPeerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeerPort,
                "--initial-cluster", "default=http://127.0.0.1:" + etcdPeerPort,
                "--listen-metrics-urls", "http://127.0.0.1:" + Net.freePort()), Map.of()));
        processes.add(ChildProcess.start(dir, "kube-apiserver", List.of(bin.resolve("kube-apiserver").toString(),
                "--etcd-servers", etcd, "--bind-address", "127.0.0.1", "--secure-port", String.valueOf(apiPort),
                "--cert-dir", pki.toString(), "--token-auth-file", pki.resolve("tokens.csv").toString(),
                "--authorization-mode", "RBAC", "--service-account-issuer", "https://kubernetes.default.svc",
                "--service-account-key-file", pki.resolve("sa.pub").toString(),
                "--service-account-signing-key-file", pki.resolve("sa.key").toString(),
                "--service-cluster-ip-range", "10.96.0.0/24", "--disable-admission-plugins", "ServiceAccount"), Map.of()));
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: ramp-lab, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
                users: [{name: admin, user: {token: "%s"}}]
                contexts: [{name: ramp-lab, context: {cluster: ramp-lab, user: admin}}]
                current-context: ramp-lab
                """.formatted(apiPort, token));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
        Net.await("kube-apiserver", Duration.ofSeconds(90), this::apiReady);
        String kc = kubeconfig.toString();
        processes.add(ChildProcess.start(dir, "kube-controller-manager", List.of(
                bin.resolve("kube-controller-manager").toString(), "--kubeconfig", kc, "--bind-address", "127.0.0.1",
                "--secure-port", "0", "--leader-elect=false", "--use-service-account-credentials=false",
                "--service-account-private-key-file", pki.resolve("sa.key").toString(),
                "--controllers", "*,-serviceaccount-token"), Map.of()));
        processes.add(ChildProcess.start(dir, "kube-scheduler", List.of(bin.resolve("kube-scheduler").toString(),
                "--kubeconfig", kc, "--bind-address", "127.0.0.1", "--secure-port", "0", "--leader-elect=false"),
                Map.of()));
        processes.add(ChildProcess.start(dir, "kwok", List.of(bin.resolve("kwok").toString(), "--kubeconfig", kc,
                "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--cidr", podCidr, "--node-ip", "127.0.0.1", "--node-lease-duration-seconds", "40", "--server-address", "127.0.0.1:" + Net.freePort()),
                Map.of()));
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                .addToAnnotations("kwok.x-k8s.io/node", "fake").addToLabels("kubernetes.io/hostname", NODE)
                .addToLabels("type", "kwok").endMetadata()
                .withNewSpec().withPodCIDR(podCidr).endSpec().build()).serverSideApply();
        Net.await("kwok's node " + NODE, Duration.ofSeconds(60), () -> {
            var node = client.nodes().withName(NODE).get();
            return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions()
                    .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        return this;
    }

    private boolean apiReady() {
        try {
            return "ok".equals(client.raw("/readyz"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void writeServiceAccountKeys(Path pki) throws IOException {
        KeyPair keys;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Files.writeString(pki.resolve("sa.key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        Files.writeString(pki.resolve("sa.pub"), pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    KubernetesClient client() {
        return client;
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    Path kubectl() {
        return bin.resolve("kubectl");
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        // Stop in reverse order: kwok and the controllers before the API server, etcd last.
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
