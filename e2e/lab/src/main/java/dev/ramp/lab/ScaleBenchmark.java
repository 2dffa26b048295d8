package dev.ramp.lab;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * {@code e2e/lab.sh scale [N,N/S,...]}: N Rollouts on one operator, or over S shards (operators
 * each given every S-th namespace, {@code ramp.watch.namespaces}), released at once, measured (a
 * benchmark, not a test). For each N (default 100, 300, 1000) a fresh kwok control plane with
 * enough fake nodes, {@link FleetTelemetry} standing in for the mesh's metrics of N workloads, a
 * real Prometheus, and Ramp as a process with the chart's JVM settings
 * ({@link OperatorProcess#CHART_JVM}). N Rollouts over N/{@value #PER_NAMESPACE} namespaces
 * (interval {@value #INTERVAL_SECONDS}s, three steps, one built-in metric) are made ready, then
 * every target's image is changed within seconds: half to a good version, half to one that fails
 * 30% of its requests. Written to {@code docs/scale.json} and the table in {@code docs/scale.md}.
 *
 * <p>{@code N/flagger}: the same N releases through Flagger instead ({@link FlaggerProcess}, built
 * from its Go module), on a fresh lab of its own with no Ramp: N Canaries with the same analysis,
 * {@link FleetTelemetry#forFlagger} reporting for Flagger's canaries, the same figures where
 * Flagger shows them ({@link ReleaseTimeline#ofFlaggerCanaries}). Each run replaces its own row
 * of the JSON and the table (by contender, N and shards) and keeps the others.
 */
public final class ScaleBenchmark {

    static final int PER_NAMESPACE = 50;
    static final int INTERVAL_SECONDS = 10;
    static final List<Integer> STEPS = List.of(10, 20, 30);
    /** Pods a fake node takes (kwok's nodes report room for 110). */
    private static final int PODS_PER_NODE = 100;
    private static final String GOOD = "2.0.0";

    private ScaleBenchmark() {
    }

    /** Ramp's own run, or the same releases through Flagger. */
    static final String RAMP = "ramp";
    static final String FLAGGER = "flagger";
    /** How the scale benchmark runs Flagger (FlaggerProcess). */
    private static final String FLAGGER_FLAGS = "-mesh-provider istio -metrics-server <the lab's Prometheus>, defaults otherwise"
            + " (all namespaces, -kubeconfig-qps 100, -kubeconfig-burst 250, -threadiness 2)";

    /**
     * N Rollouts over {@code shards} operators, each reconciling every shards-th namespace; or with
     * {@code flagger}, N Canaries on one Flagger.
     */
    record Size(int rollouts, int shards, boolean flagger) {

        Size(int rollouts, int shards) {
            this(rollouts, shards, false);
        }

        /** "1000" (one operator), "1000/2" (two shards) or "1000/flagger" (Flagger, which has no shards). */
        static Size parse(String text) {
            String[] parts = text.strip().split("/");
            if (parts.length > 2) {
                throw new IllegalArgumentException("size " + text + ": expected N, N/S or N/flagger");
            }
            int rollouts = Integer.parseInt(parts[0]);
            if (parts.length > 1 && parts[1].equals(FLAGGER)) {
                return new Size(rollouts, 1, true);
            }
            return new Size(rollouts, parts.length > 1 ? Integer.parseInt(parts[1]) : 1);
        }

        String contender() {
            return flagger ? FLAGGER : RAMP;
        }
    }

    /** One operator's share of a run: its namespaces' Rollouts, its memory and CPU. */
    record Shard(String name, List<String> namespaces, int rollouts, Memory memory, double cpuSeconds) {
    }

    /**
     * What one N measured; seconds unless named otherwise. With shards, {@code memory} is the
     * largest of theirs (each has its own limit) and {@code cpuSeconds} their sum; {@code perShard}
     * has each one's.
     */
    record Result(String contender, String ranAt, int rollouts, int shards, int namespaces, double bootstrapSeconds, double releaseWritesSeconds,
            Percentiles stepLateness, Percentiles goodReleaseToPromoted, Percentiles badFirstTrafficToFailed,
            Percentiles badReleaseToFailed, int promoted, int failed, int unfinished, Memory memory, double cpuSeconds,
            Map<String, Double> apiRequestsPerSecondByVerb, Map<String, Double> writesPerSecondByResource,
            @JsonAlias("rampWritesPerRolloutPerStep") double writesPerReleasePerStep,
            double promqlQueriesPerSecond, List<Shard> perShard) {
    }

    record Percentiles(int count, double p50, double p99, double max) {

        static Percentiles of(List<Double> values) {
            if (values.isEmpty()) {
                return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN);
            }
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Percentiles(sorted.length, round(at(sorted, 0.5)), round(at(sorted, 0.99)),
                    round(sorted[sorted.length - 1]));
        }

        /** The nearest-rank percentile. */
        private static double at(double[] sorted, double q) {
            return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
        }
    }

    /** MiB: RSS and heap before the release (mean of 10 s), at peak during it, and 30 s after it ended. */
    record Memory(double rssSteady, double rssPeak, double rssIdleAfter, double heapSteady, double heapPeak,
            double heapIdleAfter) {
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ramp.root", ".")).toAbsolutePath().normalize();
        List<Size> sizes = args.length > 0 ? Arrays.stream(args[0].split(",")).map(Size::parse).toList()
                : List.of(new Size(100, 1), new Size(300, 1), new Size(1000, 1));
        if (sizes.stream().anyMatch(Size::flagger) && System.getProperty("ramp.flagger.bin") == null) {
            System.err.println("[lab] N/flagger needs Flagger: run it through e2e/lab.sh scale (as root), which builds it");
            System.exit(2);
        }
        Path out = args.length > 1 ? Path.of(args[1]) : root.resolve("docs/scale.json");
        int code = 0;
        try {
            List<Result> results = new ArrayList<>();
            for (Size n : sizes) {
                results.add(run(root, n));
                write(root, out, results);
            }
        } catch (Exception e) {
            System.err.println("[lab] scale benchmark failed: " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private static Result run(Path root, Size size) throws Exception {
        int n = size.rollouts();
        // The lab's directory (e2e/lab.sh stops what its pids file names if this JVM dies), emptied for each N.
        Path dir = root.resolve("e2e/.work/lab");
        Mounts.unmountUnder(dir.getParent(), dir);
        if (Files.isDirectory(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        Lab.log("scale: " + n + (size.flagger() ? " Flagger Canaries" : " Rollouts")
                + (size.shards() > 1 ? " over " + size.shards() + " shards" : "") + ", lab directory " + dir);
        try (ControlPlane cluster = new ControlPlane(dir, Lab.binaries(root), ThreadLocalRandom.current().nextInt(20, 250))
                .start()) {
            KubernetesClient client = cluster.client();
            FlaggerProcess.Kubectl kubectl = args -> {
                List<String> command = new ArrayList<>(List.of(cluster.kubectl().toString(), "--kubeconfig",
                        cluster.kubeconfig().toString()));
                command.addAll(List.of(args));
                return GitServer.run(root, command.toArray(String[]::new));
            };
            if (size.flagger()) {
                // Istio's and Flagger's CRDs (the Canaries' watch starts before Flagger, which applies them
                // again); Ramp's are not needed.
                kubectl.run("apply", "--server-side", "-f", root.resolve("e2e/istio/crds.yaml").toString(), "-f",
                        System.getProperty("ramp.flagger.crds"));
                kubectl.run("wait", "--for=condition=Established", "--timeout=60s", "crd/virtualservices.networking.istio.io",
                        "crd/canaries.flagger.app");
            } else {
                kubectl.run("apply", "--server-side", "-f", root.resolve("crds").toString(), "-f",
                        root.resolve("e2e/istio/crds.yaml").toString());
                kubectl.run("wait", "--for=condition=Established", "--timeout=60s", "crd/rollouts.ramp.dev",
                        "crd/virtualservices.networking.istio.io");
            }
            addNodes(client, 2 * n / PODS_PER_NODE + 1);
            List<AutoCloseable> open = new ArrayList<>();
            try (FleetTelemetry telemetry = size.flagger() ? FleetTelemetry.forFlagger(client) : new FleetTelemetry(client);
                    Prometheus prometheus = new Prometheus(dir, "127.0.0.1", List.of(telemetry.target()), false);
                    ReleaseTimeline timeline = size.flagger() ? ReleaseTimeline.ofFlaggerCanaries(client)
                            : new ReleaseTimeline(client)) {
                List<Operator> operators = new ArrayList<>();
                if (size.flagger()) {
                    FlaggerProcess flagger = FlaggerProcess.fromProperties(kubectl, dir, cluster.kubeconfig(),
                            prometheus.address()).start();
                    open.add(flagger);
                    ProcessGauges gauges = new ProcessGauges(flagger.pid(), null);
                    open.add(gauges);
                    operators.add(new Operator(FLAGGER, shardNamespaces(n, 1, 0), gauges));
                    return measure(client, size, prometheus, operators, timeline);
                }
                for (int k = 0; k < size.shards(); k++) {
                    List<String> namespaces = shardNamespaces(n, size.shards(), k);
                    String name = size.shards() == 1 ? "operator" : "shard-" + k;
                    Map<String, String> env = new LinkedHashMap<>(OperatorProcess.CHART_ENV);
                    if (size.shards() > 1) {
                        env.put("RAMP_WATCH_NAMESPACES", String.join(",", namespaces));
                    }
                    OperatorProcess operator = new OperatorProcess(name, dir, root, cluster.kubeconfig(), prometheus.address(),
                            jvm(root), env).start();
                    open.add(operator);
                    ProcessGauges gauges = new ProcessGauges(operator.pid(), operator.metricsAddress());
                    open.add(gauges);
                    operators.add(new Operator(name, namespaces, gauges));
                }
                return measure(client, size, prometheus, operators, timeline);
            } finally {
                for (int k = open.size() - 1; k >= 0; k--) {
                    open.get(k).close();
                }
            }
        }
    }

    /** A running operator of the benchmark: its name, the namespaces it reconciles, its gauges. */
    private record Operator(String name, List<String> namespaces, ProcessGauges gauges) {
    }

    /** The namespaces shard {@code k} of {@code shards} reconciles: every shards-th, from the k-th. */
    static List<String> shardNamespaces(int n, int shards, int k) {
        int namespaces = (n + PER_NAMESPACE - 1) / PER_NAMESPACE;
        List<String> names = new ArrayList<>();
        for (int ns = k; ns < namespaces; ns += shards) {
            names.add(namespace(ns * PER_NAMESPACE));
        }
        return names;
    }

    private static Result measure(KubernetesClient client, Size size, Prometheus prometheus, List<Operator> operators,
            ReleaseTimeline timeline) throws Exception {
        int n = size.rollouts();
        int namespaces = (n + PER_NAMESPACE - 1) / PER_NAMESPACE;
        long begin = System.nanoTime();
        for (int ns = 0; ns < namespaces; ns++) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace(ns * PER_NAMESPACE)).endMetadata()
                    .build()).serverSideApply();
        }
        parallel(n, i -> {
            client.apps().deployments().inNamespace(namespace(i)).resource(deployment(name(i), "1.0.0")).serverSideApply();
            client.resource(size.flagger() ? canary(namespace(i), name(i)) : rollout(namespace(i), name(i))).serverSideApply();
        });
        Net.awaitEvery(n + (size.flagger() ? " Canaries" : " Rollouts") + " Initialized", Duration.ofMinutes(20), Duration.ofSeconds(1),
                () -> timeline.count("Initialized") == n);
        double bootstrap = (System.nanoTime() - begin) / 1e9;
        Lab.log("scale: %d %s Initialized in %.1fs".formatted(n, size.flagger() ? "Canaries" : "Rollouts", bootstrap));
        // Steady: what the operator holds with N Rollouts at rest, after 20 s of nothing to do.
        Net.sleep(Duration.ofSeconds(20));
        List<List<ProcessGauges.Sample>> steady = operators.stream()
                .map(o -> o.gauges().since(o.gauges().secondsSinceStart() - 10)).toList();
        Map<String, Double> apiBefore = apiRequests(client);
        double promqlBefore = promqlQueries(prometheus);
        List<Double> cpuBefore = operators.stream().map(o -> o.gauges().now().cpuSeconds()).toList();
        List<Double> releaseFrom = operators.stream().map(o -> o.gauges().secondsSinceStart()).toList();

        timeline.reset();
        Map<Integer, Instant> released = new ConcurrentHashMap<>();
        Instant releaseBegin = Instant.now();
        String ranAt = releaseBegin.atOffset(ZoneOffset.UTC).withNano(0).toString();
        parallel(n, i -> {
            String version = i % 2 == 0 ? GOOD : FleetTelemetry.FAILING_TAG;
            // A strategic merge patch of the one field, as kubectl set image does: no resourceVersion,
            // so the Deployment controller's status writes meanwhile cannot make it conflict.
            client.apps().deployments().inNamespace(namespace(i)).withName(name(i)).patch(
                    PatchContext.of(PatchType.STRATEGIC_MERGE),
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"ramp.dev/demo:%s\"}]}}}}"
                            .formatted(version));
            released.put(i, Instant.now());
        });
        double writes = ReleaseTimeline.seconds(releaseBegin, Instant.now());
        Lab.log("scale: %d targets changed in %.1fs (half good, half failing 30%%)".formatted(n, writes));
        List<String> done = List.of("Succeeded", "Failed");
        Instant deadline = Instant.now().plus(Duration.ofMinutes(30));
        while (timeline.count(done) < n && Instant.now().isBefore(deadline)) {
            Net.sleep(Duration.ofSeconds(1));
        }
        Instant releaseEnd = Instant.now();
        double window = ReleaseTimeline.seconds(releaseBegin, releaseEnd);
        List<Double> cpu = new ArrayList<>();
        List<List<ProcessGauges.Sample>> during = new ArrayList<>();
        for (int k = 0; k < operators.size(); k++) {
            ProcessGauges gauges = operators.get(k).gauges();
            cpu.add(gauges.now().cpuSeconds() - cpuBefore.get(k));
            during.add(gauges.since(releaseFrom.get(k)));
        }
        Map<String, Double> apiAfter = apiRequests(client);
        double promqlAfter = promqlQueries(prometheus);
        Net.sleep(Duration.ofSeconds(30));
        List<ProcessGauges.Sample> idle = operators.stream().map(o -> o.gauges().now()).toList();

        List<Double> lateness = new ArrayList<>();
        List<Double> promotedAfter = new ArrayList<>();
        List<Double> firstTrafficToFailed = new ArrayList<>();
        List<Double> releaseToFailed = new ArrayList<>();
        int promoted = 0;
        int failed = 0;
        for (int i = 0; i < n; i++) {
            ReleaseTimeline.Release release = timeline.of(namespace(i), name(i));
            Instant start = released.get(i);
            if (i % 2 == 0) {
                lateness.addAll(ReleaseTimeline.stepLateness(release, Duration.ofSeconds(INTERVAL_SECONDS)));
                Instant succeeded = release.phases().get("Succeeded");
                if (succeeded != null) {
                    promoted++;
                    promotedAfter.add(ReleaseTimeline.seconds(start, succeeded));
                }
            } else {
                Instant failedAt = release.phases().get("Failed");
                if (failedAt != null) {
                    failed++;
                    releaseToFailed.add(ReleaseTimeline.seconds(start, failedAt));
                    Instant firstTraffic = release.steps().get(0);
                    if (firstTraffic != null) {
                        firstTrafficToFailed.add(ReleaseTimeline.seconds(firstTraffic, failedAt));
                    }
                }
            }
        }
        Map<String, Double> perSecond = new LinkedHashMap<>();
        apiAfter.forEach((key, after) -> {
            double delta = after - apiBefore.getOrDefault(key, 0.0);
            if (key.startsWith("verb:") && delta > 0) {
                perSecond.put(key.substring("verb:".length()), round(delta / window));
            }
        });
        Map<String, Double> writesPerSecond = new LinkedHashMap<>();
        apiAfter.forEach((key, after) -> {
            double delta = after - apiBefore.getOrDefault(key, 0.0);
            if (key.startsWith("write:") && delta / window >= 0.05) {
                writesPerSecond.put(key.substring("write:".length()), round(delta / window));
            }
        });
        double operatorWrites = apiAfter.getOrDefault("operator-writes", 0.0) - apiBefore.getOrDefault("operator-writes", 0.0);
        // Steps each release went through: three for a good one plus its promotion, one or two for a failing one.
        int stepsTaken = n / 2 * (STEPS.size() + 1) + (n - n / 2) * 2;
        List<Shard> shards = new ArrayList<>();
        for (int k = 0; k < operators.size(); k++) {
            Operator operator = operators.get(k);
            Memory memory = new Memory(round(mean(steady.get(k), ProcessGauges.Sample::rssMiB)),
                    round(max(during.get(k), ProcessGauges.Sample::rssMiB)), round(idle.get(k).rssMiB()),
                    round(mean(steady.get(k), ProcessGauges.Sample::heapMiB)),
                    round(max(during.get(k), ProcessGauges.Sample::heapMiB)), round(idle.get(k).heapMiB()));
            int rollouts = (int) IntStream.range(0, n).filter(i -> operator.namespaces().contains(namespace(i))).count();
            shards.add(new Shard(operator.name(), operator.namespaces(), rollouts, memory, round(cpu.get(k))));
        }
        Memory largest = new Memory(largest(shards, Memory::rssSteady), largest(shards, Memory::rssPeak),
                largest(shards, Memory::rssIdleAfter), largest(shards, Memory::heapSteady), largest(shards, Memory::heapPeak),
                largest(shards, Memory::heapIdleAfter));
        Result result = new Result(size.contender(), ranAt, n, size.shards(), namespaces, round(bootstrap), round(writes), Percentiles.of(lateness),
                Percentiles.of(promotedAfter), Percentiles.of(firstTrafficToFailed), Percentiles.of(releaseToFailed),
                promoted, failed, n - promoted - failed, largest, round(cpu.stream().mapToDouble(Double::doubleValue).sum()),
                perSecond, writesPerSecond, round((operatorWrites - n) / stepsTaken), round((promqlAfter - promqlBefore) / window),
                size.shards() > 1 ? shards : List.of());
        Lab.log("scale: " + result);
        return result;
    }

    /**
     * The API server's request counters ({@code apiserver_request_total}) by verb (keys
     * {@code verb:<VERB>}), and under {@code operator-writes} the writes to what only the operator
     * (Ramp or Flagger, one at a time) writes or the benchmark's own target edits: Rollouts or
     * Canaries and their status, Services, VirtualServices, DestinationRules, and Deployments' specs
     * (the Deployment controller writes only their status).
     */
    private static Map<String, Double> apiRequests(KubernetesClient client) {
        Map<String, Double> counts = new LinkedHashMap<>();
        for (String line : client.raw("/metrics").lines().filter(l -> l.startsWith("apiserver_request_total{")).toList()) {
            String verb = label(line, "verb");
            String resource = label(line, "resource");
            String subresource = label(line, "subresource");
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            counts.merge("verb:" + verb, value, Double::sum);
            boolean write = List.of("POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE").contains(verb);
            boolean operatorOwned = List.of("rollouts", "canaries", "services", "virtualservices", "destinationrules")
                    .contains(resource) || "deployments".equals(resource) && subresource.isEmpty();
            if (write && operatorOwned) {
                counts.merge("operator-writes", value, Double::sum);
            }
            if (write) {
                counts.merge("write:" + verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource), value,
                        Double::sum);
            }
        }
        return counts;
    }

    private static String label(String line, String name) {
        int at = line.indexOf(name + "=\"");
        if (at < 0) {
            return "";
        }
        int from = at + name.length() + 2;
        return line.substring(from, line.indexOf('"', from));
    }

    /** Instant and range queries Prometheus has answered so far. */
    private static double promqlQueries(Prometheus prometheus) throws IOException, InterruptedException {
        return prometheus.selfMetrics().lines().filter(l -> l.startsWith("prometheus_http_requests_total{"))
                .filter(l -> l.contains("handler=\"/api/v1/query\"") || l.contains("handler=\"/api/v1/query_range\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Runs {@code work} for 0..n-1 on 8 threads (the API server's writes are the bottleneck, not the client). */
    private static void parallel(int n, IntConsumer work) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            pool.execute(() -> {
                try {
                    work.accept(index);
                } catch (RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.MINUTES) || !failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " of " + n + " writes failed"
                    + (failures.isEmpty() ? " (timed out)" : ": " + failures.get(0)), failures.isEmpty() ? null : failures.get(0));
        }
    }

    /** Fake nodes beside the lab's own, kwok-managed, so that the scheduler finds room for 2N Pods. */
    private static void addNodes(KubernetesClient client, int count) {
        for (int i = 1; i < count; i++) {
            String name = "scale-node-" + i;
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                    .addToAnnotations("kwok.x-k8s.io/node", "fake").addToLabels("kubernetes.io/hostname", name)
                    .addToLabels("type", "kwok").endMetadata().build()).serverSideApply();
        }
    }

    /**
     * The operator's JVM options: the chart's ({@link OperatorProcess#chartJvm}), or to try others
     * (e.g. with {@code -XX:NativeMemoryTracking=summary}) the environment variable
     * {@code RAMP_SCALE_JVM}, space-separated; the JSON and the table say which ran.
     */
    static List<String> jvm(Path root) throws IOException {
        String options = System.getenv().getOrDefault("RAMP_SCALE_JVM", "").strip();
        return options.isEmpty() ? OperatorProcess.chartJvm(root) : List.of(options.split("\\s+"));
    }

    static String namespace(int i) {
        return "scale-" + (i / PER_NAMESPACE);
    }

    static String name(int i) {
        return "app-" + i;
    }

    private static Deployment deployment(String name, String version) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("ramp.dev/demo:" + version)
                .addNewPort().withContainerPort(9898).endPort().endContainer().endSpec().endTemplate().endSpec().build();
    }

    private static String rollout(String namespace, String name) {
        return """
                apiVersion: ramp.dev/v1alpha1
                kind: Rollout
                metadata: {name: %s, namespace: %s}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
                  strategy: Canary
                  service: {port: 9898}
                  analysis:
                    interval: %ds
                    threshold: 2
                    stepWeights: %s
                    metrics:
                      - name: request-success-rate
                        thresholdRange: {min: 99}
                """.formatted(name, namespace, name, INTERVAL_SECONDS, STEPS);
    }

    /** Flagger's Canary with the Rollout's analysis: the metric's window is Ramp's (the interval). */
    private static String canary(String namespace, String name) {
        return """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: %s, namespace: %s}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
                  service: {port: 9898}
                  analysis:
                    interval: %ds
                    threshold: 2
                    stepWeights: %s
                    metrics:
                      - name: request-success-rate
                        thresholdRange: {min: 99}
                        interval: %ds
                """.formatted(name, namespace, name, INTERVAL_SECONDS, STEPS, INTERVAL_SECONDS);
    }

    private static double mean(List<ProcessGauges.Sample> samples, ToDoubleFunction<ProcessGauges.Sample> f) {
        return samples.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static double largest(List<Shard> shards, ToDoubleFunction<Memory> figure) {
        return shards.stream().mapToDouble(shard -> figure.applyAsDouble(shard.memory())).max().orElse(Double.NaN);
    }

    private static double max(List<ProcessGauges.Sample> samples, ToDoubleFunction<ProcessGauges.Sample> f) {
        return samples.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    /** To hundredths; NaN (a figure not measured, e.g. Flagger's heap) stays NaN. */
    static double round(double value) {
        return Double.isFinite(value) ? Math.round(value * 100) / 100.0 : value;
    }

    /**
     * Writes {@code results} into {@code out}, in place of the runs there of the same contender, N
     * and shards and beside the others (a run kept from an older file without a contender or date
     * is Ramp's, of the file's {@code generated}); into docs/scale.md's table when {@code out} is
     * docs/scale.json.
     */
    private static void write(Path root, Path out, List<Result> results) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<Result> kept = new ArrayList<>();
        JsonNode flaggerBefore = null;
        if (Files.isRegularFile(out)) {
            JsonNode old = json.readTree(out.toFile());
            flaggerBefore = old.path("settings").get("flagger");
            for (JsonNode run : old.path("runs")) {
                ObjectNode copy = ((ObjectNode) run).deepCopy();
                if (!copy.has("contender")) {
                    copy.put("contender", RAMP);
                }
                if (!copy.has("ranAt")) {
                    copy.put("ranAt", old.path("generated").asText());
                }
                kept.add(json.treeToValue(copy, Result.class));
            }
        }
        List<Result> runs = ScaleTable.merge(kept, results);
        Instant now = Instant.now();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("generated", now.atOffset(ZoneOffset.UTC).withNano(0).toString());
        tree.put("machine", json.readTree(Benchmark.machine()));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("jvm", jvm(root));
        settings.put("env", OperatorProcess.CHART_ENV);
        settings.put("replicas", "1 per operator; N/S: S shards, each reconciling every S-th namespace (ramp.watch.namespaces)");
        settings.put("rolloutsPerNamespace", PER_NAMESPACE);
        settings.put("interval", INTERVAL_SECONDS + "s");
        settings.put("threshold", 2);
        settings.put("stepWeights", STEPS);
        settings.put("metrics", List.of("request-success-rate"));
        settings.put("canaryRequestsPerSecond", FleetTelemetry.RATE);
        settings.put("prometheusScrapeInterval", "1s");
        settings.put("nodes", "kwok (fake)");
        String flaggerVersion = System.getProperty("ramp.flagger.version");
        Object flagger = flaggerVersion == null ? flaggerBefore : Map.of("version", flaggerVersion, "flags", FLAGGER_FLAGS,
                "canary", "the same analysis: interval 10s, threshold 2, stepWeights [10, 20, 30], request-success-rate"
                        + " min 99 over 10s (Ramp's window, its interval)");
        if (flagger != null) {
            settings.put("flagger", flagger);
        }
        tree.put("settings", settings);
        tree.put("runs", runs);
        json.writeValue(out.toFile(), tree);
        Lab.log("written to " + out);
        Path doc = root.resolve("docs/scale.md");
        if (out.toAbsolutePath().normalize().equals(root.resolve("docs/scale.json").toAbsolutePath().normalize())
                && Files.isRegularFile(doc)) {
            String flaggerLine = flagger == null ? "" : " Flagger " + ((flagger instanceof JsonNode node)
                    ? node.path("version").asText() : flaggerVersion) + " as a process: " + FLAGGER_FLAGS + ".";
            DocsTable.write(doc, "scale", "Machine: " + Benchmark.machineLine() + "; the operator's JVM: "
                    + String.join(" ", jvm(root)) + "." + flaggerLine + " Each row is the latest run of its contender, N"
                    + " and shards, measured at the time it gives (the release's start).\n\n" + ScaleTable.render(runs));
        }
    }
}
