package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The Ramp lab, on loopback only (or, in its cluster mode, in a network namespace of its own): a
 * Kubernetes control plane whose Deployments really roll, a real Prometheus, a real Git server
 * over smart HTTP, Ramp (the packaged operator as a process, or in the cluster mode installed by
 * its Helm chart, {@link HelmOperator}), a stand-in for Istio's data plane ({@link MeshProxy})
 * and, per app, a load generator. Its {@link Mode} says what runs the Pods. {@link #close} stops
 * all of it, in reverse order.
 */
public final class Lab implements AutoCloseable {

    /** What runs the Pods. */
    public enum Mode {
        /**
         * kwok stands in for the kubelet, and the demo service's processes run in the lab's JVM,
         * one per Ready Pod, on the Pod's loopback IP ({@link PodRunner}).
         */
        KWOK,
        /**
         * A real node: containerd, runc and CNI run the Pods as containers of locally built
         * images, with IPs on a bridge, the kubelet reports their status, kube-proxy serves
         * ClusterIPs; all inside a network and mount namespace of the lab's own, so the JVM must
         * have been started by {@code e2e/lab/netns.sh} ({@link LabNamespace}).
         */
        CLUSTER;

        /**
         * The mode the lab's tests and commands run in: {@code ramp.lab.mode} (or the environment's
         * {@code RAMP_LAB_MODE}), {@code kwok} or {@code cluster}, if given; otherwise the real
         * cluster wherever this process can run it, and kwok elsewhere, saying what is missing.
         */
        public static Mode preferred(Path root) {
            String chosen = System.getProperty("ramp.lab.mode", System.getenv("RAMP_LAB_MODE"));
            if (chosen != null && !chosen.isBlank() && !"auto".equalsIgnoreCase(chosen)) {
                return valueOf(chosen.trim().toUpperCase(Locale.ROOT));
            }
            Optional<String> missing = LabNamespace.unavailable().or(() -> HelmOperator.imageUnavailable(root));
            if (missing.isEmpty()) {
                return CLUSTER;
            }
            log("on kwok, with Ramp as a process, since the real cluster needs what is missing here: " + missing.get()
                    + " (as root, build/prerequisites.sh installs the packages and ./mvnw package builds the image;"
                    + " RAMP_LAB_MODE=kwok chooses kwok)");
            return KWOK;
        }
    }

    /**
     * The file in the lab's directory through which {@code e2e/lab.sh exec} reaches a running lab
     * from the user's shell: the lab JVM's PID (whose network namespace it enters), the lab's
     * kubeconfig and the directory holding kubectl. Written when the lab is up, removed when it stops.
     */
    static final String SESSION_FILE = "lab.env";

    /** The demo's versions, built as images ramp.dev/demo:&lt;version&gt; for the cluster mode. */
    static final List<String> DEMO_VERSIONS = List.of("1.0.0", "2.0.0", "3.0.0", "4.0.0");

    static {
        // The load generator names the service it calls in the Host header, as a mesh client does;
        // without a mesh it closes each connection after its request (LabApp.DataPlane.NONE).
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host,connection");
    }

    private final Path root;
    private final Path dir;
    private final Mode mode;
    private final List<AutoCloseable> started = new ArrayList<>();
    private ControlPlane controlPlane;
    private Containerd containerd;
    private LabNode node;
    private Endpoints pods;
    private MeshProxy mesh;
    private TraefikGateway traefik;
    private MetricsServer metricsServer;
    private Prometheus prometheus;
    private GitServer git;
    private OperatorProcess operator;
    private HelmOperator helmOperator;

    /**
     * A lab for the repository at {@code root}, keeping its state and logs in {@code dir}, in the
     * {@linkplain Mode#preferred preferred} mode.
     */
    public Lab(Path root, Path dir) {
        this(root, dir, Mode.preferred(root));
    }

    public Lab(Path root, Path dir, Mode mode) {
        this.root = root.toAbsolutePath().normalize();
        this.dir = dir.toAbsolutePath().normalize();
        this.mode = mode;
    }

    /** Starts every component; if one fails, stops those already started and rethrows. */
    public Lab start() throws Exception {
        return starting(() -> {
            startCluster();
            startServices();
            awaitMetricsServer();
            Files.writeString(dir.resolve(SESSION_FILE), "RAMP_LAB_PID=%d%nKUBECONFIG=%s%nRAMP_LAB_BIN=%s%n"
                    .formatted(ProcessHandle.current().pid(), kubeconfig(), binaries()));
        });
    }

    /**
     * What {@code e2e/lab.sh} prints for the user to try on the app in {@code namespace}: each a
     * command line run from the repository's root in the user's own shell, through
     * {@code e2e/lab.sh exec}, which runs it in the lab's network namespace (where the API server,
     * Prometheus and the mesh listen) with the lab's kubeconfig and kubectl on its PATH.
     * {@code kubectl ramp} needs the CLI installed first ({@code cli/install.sh}).
     */
    List<String> userCommands(String namespace) {
        return List.of("e2e/lab.sh exec kubectl get rollout -n " + namespace,
                "e2e/lab.sh exec kubectl ramp get -n " + namespace,
                "e2e/lab.sh exec curl -s -H 'Host: podinfo." + namespace + "' http://" + proxyAddress() + "/",
                "e2e/lab.sh exec curl -s '" + prometheusAddress() + "/api/v1/query?query=up'");
    }

    /**
     * Starts the Kubernetes part alone (control plane, node, CRDs): what a test of the cluster
     * itself needs, without the operator, Prometheus, Git or the mesh.
     */
    public Lab startClusterOnly() throws Exception {
        return starting(this::startCluster);
    }

    /**
     * Waits for metrics-server, installed with the node, while the rest started (cluster lab only).
     * {@link #start} does; after {@link #startClusterOnly} a test that reads resource metrics
     * calls it ({@code metricsServer().awaitAvailable()}), and one that does not pays nothing.
     */
    private void awaitMetricsServer() {
        if (metricsServer != null) {
            metricsServer.awaitAvailable();
        }
    }

    private interface Steps {
        void run() throws Exception;
    }

    private Lab starting(Steps steps) throws Exception {
        try {
            steps.run();
            return this;
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void startCluster() throws Exception {
        // Every lab starts empty: a previous lab's etcd data would bring back its cluster.
        if (Files.isDirectory(dir)) {
            Mounts.unmountUnder(dir.getParent(), dir);
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        log("lab directory " + dir + " (" + mode + ")");
        if (mode == Mode.CLUSTER) {
            startRealNodeCluster();
        } else {
            // A random loopback /16 for pod IPs, so two labs on one machine rarely share addresses.
            controlPlane = track(new ControlPlane(dir, binaries(), ThreadLocalRandom.current().nextInt(20, 250))).start();
            log("control plane up (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok); KUBECONFIG="
                    + controlPlane.kubeconfig());
        }
        if (mode == Mode.CLUSTER) {
            // Ramp's CRDs come with its chart (HelmOperator), as users get them.
            kubectl("apply", "--server-side", "-f", root.resolve("e2e/istio/crds.yaml").toString());
            kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/virtualservices.networking.istio.io");
            return;
        }
        kubectl("apply", "--server-side", "-f", root.resolve("crds").toString(),
                "-f", root.resolve("e2e/istio/crds.yaml").toString());
        kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/rollouts.ramp.dev", "crd/gitsources.ramp.dev",
                "crd/metrictemplates.ramp.dev", "crd/virtualservices.networking.istio.io");
    }

    private void startRealNodeCluster() throws Exception {
        long begin = System.nanoTime();
        Path bin = binaries();
        LabNamespace.prepare(dir);
        containerd = track(new Containerd(dir)).start();
        containerd.importImage(bin.resolve("images/pause.tar"));
        for (Path image : demoImages()) {
            containerd.importImage(image);
        }
        log("containerd up, images imported: " + containerd.ctr("images", "ls", "-q").lines()
                .filter(l -> !l.startsWith("sha256:")).collect(Collectors.joining(" ")));
        controlPlane = track(ControlPlane.forRealNode(dir, bin)).start();
        node = track(new LabNode(dir, bin)).start(containerd, controlPlane.kubeconfig(), client());
        log("cluster up in %.1fs: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy; KUBECONFIG=%s"
                .formatted((System.nanoTime() - begin) / 1e9, controlPlane.kubeconfig()));
        // The resource metrics API, for kubectl top and HPAs; it needs a first scrape to serve,
        // which it makes while the rest of the lab starts (awaitMetricsServer).
        metricsServer = MetricsServer.install(this, containerd);
    }

    /** Builds (Go's cache makes it quick) and returns the demo's image archives, one per version. */
    private List<Path> demoImages() throws IOException, InterruptedException {
        Path images = root.resolve("e2e/.work/images");
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("e2e/images/build.sh").toString(),
                images.toString()));
        command.addAll(DEMO_VERSIONS);
        GitServer.run(root, command.toArray(String[]::new));
        return DEMO_VERSIONS.stream().map(v -> images.resolve("demo-" + v + ".tar")).toList();
    }

    private void startServices() throws Exception {
        pods = mode == Mode.CLUSTER ? track(new ReadyPods(client())) : track(new PodRunner(client()));
        mesh = track(new MeshProxy(client(), pods));
        log("mesh stand-in (Istio data plane) at " + mesh.address());
        List<String> scraped = new ArrayList<>(List.of(mesh.address()));
        if (mode == Mode.CLUSTER) {
            // The Gateway API's data plane: a real proxy, as a Pod (issue 20).
            traefik = TraefikGateway.install(this, containerd);
            scraped.add(traefik.metricsTarget());
        }
        // In the cluster lab the operator is a Pod: what it calls listens on the node's address.
        String host = mode == Mode.CLUSTER ? LabNamespace.GATEWAY : "127.0.0.1";
        prometheus = track(new Prometheus(dir, host, scraped, mode == Mode.CLUSTER));
        if (mode == Mode.CLUSTER) {
            // Pods that export their own metrics (prometheus.io/scrape): an app without a mesh.
            track(new PodTargets(client(), prometheus.podTargets()));
        }
        log("Prometheus at " + prometheus.address() + ", scraping every 1s: " + String.join(", ", scraped)
                + (mode == Mode.CLUSTER ? ", and Pods annotated prometheus.io/scrape" : ""));
        git = track(new GitServer(dir, host, HexFormat.of().formatHex(new SecureRandom().generateSeed(12))));
        log("Git server (git http-backend, basic auth) at " + git.url("<namespace>").replace("<namespace>.git", ""));
        if (mode == Mode.CLUSTER) {
            helmOperator = track(new HelmOperator(dir, root, client(), controlPlane.kubeconfig()))
                    .install(containerd, prometheus.address());
        } else {
            operator = track(new OperatorProcess(dir, root, controlPlane.kubeconfig(), prometheus.address())).start();
            log("operator up (" + operator.log() + ")");
        }
    }

    /** Stops {@code component} with the lab, before what was started earlier. */
    <T extends AutoCloseable> T track(T component) {
        started.add(component);
        return component;
    }

    private Path binaries() throws IOException {
        return binaries(root);
    }

    /** The control plane's binaries e2e/controlplane/build.sh built for this checkout's Kubernetes version. */
    static Path binaries(Path root) throws IOException {
        String version = Files.readAllLines(root.resolve("e2e/controlplane/kube/go.mod")).stream()
                .filter(l -> l.startsWith("require k8s.io/kubernetes ")).map(l -> l.split("\\s+")[2].substring(1))
                .findFirst().orElseThrow();
        String base = System.getenv().getOrDefault("KUBEAPITEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
        Path bin = Path.of(base, "k8s", version + "-linux-amd64");
        if (!Files.isExecutable(bin.resolve("kwok")) || !Files.isExecutable(bin.resolve("kubelet"))) {
            throw new IllegalStateException(bin + " lacks the control plane: run bash e2e/controlplane/build.sh");
        }
        return bin;
    }

    /** Runs kubectl against the lab, e.g. to apply the CRDs. */
    public String kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(controlPlane.kubectl().toString(),
                "--kubeconfig", controlPlane.kubeconfig().toString()));
        command.addAll(List.of(args));
        return GitServer.run(dir, command.toArray(String[]::new));
    }

    /** A new app in its own namespace, with its Git repository; {@link LabApp#bootstrap} deploys it. */
    public LabApp app(String namespace, Manifests.Analysis analysis) throws Exception {
        return new LabApp(this, namespace, analysis);
    }

    @SuppressWarnings("unchecked")
    int canaryWeight(String namespace) {
        GenericKubernetesResource vs = client().genericKubernetesResources("networking.istio.io/v1", "VirtualService")
                .inNamespace(namespace).withName("podinfo").get();
        if (vs == null) {
            return 0;
        }
        Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
        int weight = 0;
        for (Object route : (List<Object>) spec.getOrDefault("http", List.of())) {
            for (Object d : (List<Object>) ((Map<String, Object>) route).getOrDefault("route", List.of())) {
                Map<String, Object> destination = (Map<String, Object>) d;
                String host = (String) ((Map<String, Object>) destination.get("destination")).get("host");
                if (host.endsWith("-canary") && destination.get("weight") instanceof Number n) {
                    weight += n.intValue();
                }
            }
        }
        return weight;
    }

    public KubernetesClient client() {
        return controlPlane.client();
    }

    /** The repository the lab runs from (charts, CRDs, images). */
    public Path root() {
        return root;
    }

    public Path dir() {
        return dir;
    }

    public Mode mode() {
        return mode;
    }

    public Path kubeconfig() {
        return controlPlane.kubeconfig();
    }

    GitServer git() {
        return git;
    }

    Prometheus prometheus() {
        return prometheus;
    }

    public String prometheusAddress() {
        return prometheus.address();
    }

    String proxyAddress() {
        return mesh.address();
    }

    /**
     * Where users reach the Gateway API's data plane, Traefik ({@link TraefikGateway}): its
     * Service's address, the route's host in the Host header. Cluster lab only.
     */
    String gatewayAddress() {
        if (traefik == null) {
            throw new IllegalStateException("Traefik runs only in the cluster lab (this one is " + mode + ")");
        }
        return traefik.address();
    }

    /** metrics-server ({@link MetricsServer}), in the cluster lab; null in the kwok lab. */
    MetricsServer metricsServer() {
        return metricsServer;
    }

    /** Whether Traefik runs: in the cluster lab, once started. */
    boolean hasGateway() {
        return traefik != null;
    }

    /** Where the Git host sends a GitSource's push webhook: the operator's port, or in a cluster its Service. */
    String webhookUrl(String namespace, String gitSource) {
        return helmOperator != null ? helmOperator.webhookUrl(namespace, gitSource) : operator.webhookUrl(namespace, gitSource);
    }

    ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The node's container runtime, in the cluster lab; null in the kwok lab. */
    Containerd containerd() {
        return containerd;
    }

    /** Whether the mesh stand-in's informers (routes, Services, Ready Pods) watch the API server. */
    boolean meshWatching() {
        return mesh.watching() && (!(pods instanceof ReadyPods ready) || ready.watching());
    }

    /** The mesh stand-in lists and watches afresh, as a mesh's control plane reconnecting would. */
    void remesh() {
        mesh.reinform();
        if (pods instanceof ReadyPods ready) {
            ready.reinform();
        }
    }

    /** The cluster's programs (control plane, kubelet, kube-proxy) that are no longer running. */
    List<String> exitedComponents() {
        List<String> exited = new ArrayList<>(controlPlane.exited());
        if (node != null) {
            exited.addAll(node.exited());
        }
        return exited;
    }

    /** Ramp installed by its chart, in the cluster lab; null in the kwok lab. */
    HelmOperator helmOperator() {
        return helmOperator;
    }

    /**
     * Kills the operator with SIGKILL, as a crash would: in the kwok lab the process; in the cluster
     * lab the container of the Pod holding the Lease, through containerd, so that nothing releases
     * the Lease and the kubelet restarts the container.
     */
    public void killOperator() throws IOException, InterruptedException {
        if (helmOperator != null) {
            helmOperator.killLeader(containerd);
        } else {
            operator.kill();
            log("operator killed (SIGKILL)");
        }
    }

    /**
     * After {@link #killOperator}: in the kwok lab starts the process again; in the cluster lab,
     * where the kubelet restarts the container and the other replica takes the Lease, waits until
     * a running Pod holds it.
     */
    public void restoreOperator() throws IOException {
        if (helmOperator != null) {
            helmOperator.awaitLeader();
        } else {
            operator.start();
            log("operator started again");
        }
    }

    static void log(String message) {
        System.out.println("[lab] " + message);
        System.out.flush();
    }

    @Override
    public synchronized void close() {
        try {
            Files.deleteIfExists(dir.resolve(SESSION_FILE));
        } catch (IOException e) {
            log("removing " + dir.resolve(SESSION_FILE) + ": " + e);
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log("stopping " + started.get(i) + ": " + e);
            }
        }
        started.clear();
    }

    /** What a command does with a started lab. */
    interface Session {
        void run(Lab lab) throws Exception;
    }

    /**
     * Runs a command-line session on a lab in {@code e2e/.work/lab}: the lab stops when the session
     * ends, fails, or the JVM is asked to stop (Ctrl-C, SIGTERM), and the JVM exits.
     */
    static void session(Session session) {
        Path root = Path.of(System.getProperty("ramp.root", "."));
        Lab lab = new Lab(root, root.resolve("e2e/.work/lab"));
        Runtime.getRuntime().addShutdownHook(new Thread(lab::close, "lab-shutdown"));
        int code = 0;
        try {
            lab.start();
            session.run(lab);
        } catch (Exception e) {
            System.err.println("[lab] failed: " + e);
            e.printStackTrace();
            code = 1;
        } finally {
            lab.close();
        }
        System.exit(code);
    }

    /** {@code e2e/lab.sh}: starts the lab with the demo app and keeps it up until Ctrl-C. */
    public static void main(String[] args) {
        session(lab -> {
            lab.app("demo", Demo.SETTINGS).bootstrap("1.0.0", 20);
            log("demo app up: namespace demo, repository " + lab.git().repository("demo"));
            log("from another shell in " + lab.root() + " (e2e/lab.sh exec runs a command in the lab's network with its"
                    + " kubeconfig; without a command, a shell there; kubectl ramp after cli/install.sh):");
            lab.userCommands("demo").forEach(command -> log("  " + command));
            if (lab.hasGateway()) {
                log("Traefik (Gateway API) at " + lab.gatewayAddress() + ": e2e/lab.sh exec kubectl get gateway,httproute -A;"
                        + " e2e/lab.sh exec curl -s -H 'Host: <an HTTPRoute's hostname>' http://" + lab.gatewayAddress() + "/");
            }
            if (lab.metricsServer() != null) {
                log("metrics-server (resource metrics, for kubectl top and HPAs): e2e/lab.sh exec kubectl top pods -n demo;"
                        + " e2e/lab.sh exec kubectl top nodes");
            }
            log("Ctrl-C stops everything.");
            Thread.sleep(Long.MAX_VALUE);
        });
    }
}
