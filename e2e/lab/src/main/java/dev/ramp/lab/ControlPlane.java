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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes control plane on loopback, from the binaries e2e/controlplane/build.sh builds: etcd,
 * kube-apiserver, kube-controller-manager (Deployments roll through ReplicaSets),
 * kube-scheduler (binds Pods) and, in the kwok lab, kwok, which stands in for the kubelet: it
 * manages one fake Node and marks the Pods bound to it Running and Ready, with IPs from the
 * Node's podCIDR, a loopback range (127.N.0.0/16), so the lab can serve each Pod on its own
 * address. In the cluster lab ({@link Lab.Mode#CLUSTER}) a real kubelet ({@link LabNode})
 * registers the node instead, and the API server, inside the lab's own network namespace,
 * advertises the node's address so that Pods reach it through the {@code kubernetes} Service, and
 * serves the aggregation layer (a front proxy's CA and client certificate, made with openssl),
 * through which {@link MetricsServer} serves {@code metrics.k8s.io}.
 */
final class ControlPlane implements AutoCloseable {

    static final String NODE = "lab-node";
    /** The common name of the API server's client certificate towards aggregated API servers. */
    static final String FRONT_PROXY_CLIENT = "front-proxy-client";

    private final Path dir;
    private final Path bin;
    private final String podCidr;
    private final boolean kwok;
    private final List<ChildProcess> processes = new ArrayList<>();
    private Path kubeconfig;
    private KubernetesClient client;
    /** Asks once, without the client's retries, so an outage is seen when it happens. */
    private KubernetesClient probe;
    private List<String> apiserverCommand;
    private int apiserverIndex;

    /** The kwok lab's control plane, its fake node's Pods on 127.{@code podNet}.0.0/16. */
    ControlPlane(Path dir, Path bin, int podNet) {
        this(dir, bin, "127." + podNet + ".0.0/16", true);
    }

    private ControlPlane(Path dir, Path bin, String podCidr, boolean kwok) {
        this.dir = dir;
        this.bin = bin;
        this.podCidr = podCidr;
        this.kwok = kwok;
    }

    /** The cluster lab's control plane, for a real node ({@link LabNode}) in the lab's namespace. */
    static ControlPlane forRealNode(Path dir, Path bin) {
        return new ControlPlane(dir, bin, LabNamespace.POD_CIDR, false);
    }

    ControlPlane start() throws IOException, InterruptedException {
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
        List<String> apiserver = new ArrayList<>(List.of(bin.resolve("kube-apiserver").toString(),
                "--etcd-servers", etcd, "--secure-port", String.valueOf(apiPort),
                "--cert-dir", pki.toString(), "--token-auth-file", pki.resolve("tokens.csv").toString(),
                "--authorization-mode", "RBAC", "--service-account-issuer", "https://kubernetes.default.svc",
                "--service-account-key-file", pki.resolve("sa.pub").toString(),
                "--service-account-signing-key-file", pki.resolve("sa.key").toString()));
        if (kwok) {
            // kwok's Pods need no token, and no ServiceAccount is made for them. The advertised
            // address is loopback too: a network namespace with no default route (netns.sh's,
            // where the tests run) has no other address the API server would pick. No Pod calls
            // the kubernetes Service here, so it gets no endpoints (they may not be loopback).
            apiserver.addAll(List.of("--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
                    "--endpoint-reconciler-type", "none",
                    // Room for three Services per Rollout of the scale benchmark (ScaleBenchmark).
                    "--service-cluster-ip-range", "10.96.0.0/16",
                    "--disable-admission-plugins", "ServiceAccount"));
        } else {
            // All interfaces of the lab's own namespace: loopback, and the node's address on the
            // Pods' bridge, which the kubernetes Service's endpoint names.
            apiserver.addAll(List.of("--bind-address", "0.0.0.0", "--advertise-address", LabNamespace.GATEWAY,
                    "--service-cluster-ip-range", LabNamespace.SERVICE_CIDR,
                    // logs and exec reach the kubelet at the node's IP: the namespace has no DNS.
                    "--kubelet-preferred-address-types", "InternalIP"));
            // The aggregation layer: the API server proxies metrics.k8s.io to metrics-server with
            // the front proxy's client certificate and the user in X-Remote-* headers, which
            // metrics-server trusts from the CA the API server publishes in kube-system's
            // extension-apiserver-authentication ConfigMap. To the endpoint's Pod IP, not the
            // Service's ClusterIP: the API server is a process of the node, not a Pod.
            writeFrontProxyCertificates(pki);
            apiserver.addAll(List.of("--requestheader-client-ca-file", pki.resolve("front-proxy-ca.crt").toString(),
                    "--requestheader-allowed-names", FRONT_PROXY_CLIENT,
                    "--requestheader-username-headers", "X-Remote-User",
                    "--requestheader-group-headers", "X-Remote-Group",
                    "--requestheader-extra-headers-prefix", "X-Remote-Extra-",
                    "--proxy-client-cert-file", pki.resolve("front-proxy-client.crt").toString(),
                    "--proxy-client-key-file", pki.resolve("front-proxy-client.key").toString(),
                    "--enable-aggregator-routing=true"));
        }
        apiserverCommand = List.copyOf(apiserver);
        apiserverIndex = processes.size();
        processes.add(ChildProcess.start(dir, "kube-apiserver", apiserver, Map.of()));
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
        Config once = Config.fromKubeconfig(Files.readString(kubeconfig));
        once.setRequestRetryBackoffLimit(0);
        once.setConnectionTimeout(1_000);
        once.setRequestTimeout(2_000);
        probe = new KubernetesClientBuilder().withConfig(once).build();
        Net.await("kube-apiserver", Duration.ofSeconds(90), this::apiReady);
        String kc = kubeconfig.toString();
        List<String> controllers = new ArrayList<>(List.of(
                bin.resolve("kube-controller-manager").toString(), "--kubeconfig", kc, "--bind-address", "127.0.0.1",
                "--secure-port", "0", "--leader-elect=false", "--use-service-account-credentials=false",
                "--service-account-private-key-file", pki.resolve("sa.key").toString(),
                "--controllers", "*,-serviceaccount-token"));
        if (!kwok) {
            // Published to every namespace as kube-root-ca.crt, which Pods' in-cluster clients trust.
            controllers.addAll(List.of("--root-ca-file", pki.resolve("apiserver.crt").toString(),
                    // HPAs act every 5 s (default 15 s), so a test's load shows in replicas sooner.
                    "--horizontal-pod-autoscaler-sync-period", "5s"));
        }
        processes.add(ChildProcess.start(dir, "kube-controller-manager", controllers, Map.of()));
        processes.add(ChildProcess.start(dir, "kube-scheduler", List.of(bin.resolve("kube-scheduler").toString(),
                "--kubeconfig", kc, "--bind-address", "127.0.0.1", "--secure-port", "0", "--leader-elect=false"),
                Map.of()));
        if (kwok) {
            startKwok(kc);
        }
        return this;
    }

    private void startKwok(String kc) throws IOException {
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
    }

    /**
     * Stops kube-apiserver alone with SIGKILL, as when its host dies, so the outage begins at a
     * known instant (on SIGTERM it drains its long-running requests for about 10 s first): etcd,
     * the controllers, the scheduler and the node keep running, and every client (the kubelet,
     * kube-proxy, the operator's Pods) loses the API. Returns when the process has exited.
     */
    Instant stopApiServer() {
        processes.get(apiserverIndex).kill();
        Lab.log("kube-apiserver stopped (SIGKILL; etcd, controllers, scheduler and the node keep running)");
        return Instant.now();
    }

    /**
     * Starts kube-apiserver again with the same flags, port, certificates and keys (so tokens and
     * the CA Pods trust stay valid); returns when {@code /readyz} answers ok, polled every 100 ms.
     */
    Instant startApiServer() throws IOException {
        processes.set(apiserverIndex, ChildProcess.start(dir, "kube-apiserver", apiserverCommand, Map.of()));
        Net.awaitEvery("kube-apiserver back", Duration.ofSeconds(120), Duration.ofMillis(100), this::apiReady);
        Lab.log("kube-apiserver back and ready");
        return Instant.now();
    }

    /** The control plane's programs that are no longer running (kube-apiserver while stopped). */
    List<String> exited() {
        return processes.stream().filter(p -> !p.alive()).map(ChildProcess::toString).toList();
    }

    /** A client that tries each request once, with short timeouts: for polling through an outage. */
    KubernetesClient probe() {
        return probe;
    }

    boolean apiReady() {
        try {
            return "ok".equals(probe.raw("/readyz"));
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

    /**
     * The front proxy's CA and the client certificate the API server presents to aggregated API
     * servers (CN {@value #FRONT_PROXY_CLIENT}, client auth), as kubeadm makes them; valid a year.
     */
    private void writeFrontProxyCertificates(Path pki) throws IOException, InterruptedException {
        String ca = pki.resolve("front-proxy-ca").toString();
        String client = pki.resolve("front-proxy-client").toString();
        Path extensions = pki.resolve("front-proxy-client.ext");
        Files.writeString(extensions, "keyUsage = critical, digitalSignature, keyEncipherment\n"
                + "extendedKeyUsage = clientAuth\n");
        GitServer.run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
                "-subj", "/CN=front-proxy-ca", "-keyout", ca + ".key", "-out", ca + ".crt");
        GitServer.run(dir, "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes",
                "-subj", "/CN=" + FRONT_PROXY_CLIENT, "-keyout", client + ".key", "-out", client + ".csr");
        GitServer.run(dir, "openssl", "x509", "-req", "-in", client + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-days", "365", "-extfile", extensions.toString(), "-out", client + ".crt");
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
        if (probe != null) {
            probe.close();
        }
        // Stop in reverse order: kwok and the controllers before the API server, etcd last.
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
