package dev.ramp.lab;

import static dev.ramp.lab.ScaleFleet.GOOD;
import static dev.ramp.lab.ScaleFleet.INTERVAL_SECONDS;
import static dev.ramp.lab.ScaleFleet.PER_NAMESPACE;
import static dev.ramp.lab.ScaleFleet.STEPS;
import static dev.ramp.lab.ScaleFleet.canary;
import static dev.ramp.lab.ScaleFleet.deployment;
import static dev.ramp.lab.ScaleFleet.name;
import static dev.ramp.lab.ScaleFleet.namespace;
import static dev.ramp.lab.ScaleFleet.parallel;
import static dev.ramp.lab.ScaleFleet.rollout;
import static dev.ramp.lab.ScaleFleet.shardNamespaces;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * {@code e2e/lab.sh scale [N,N/S,...]}: N Rollouts on one operator, or over S shards (operators
 * each given every S-th namespace, {@code ramp.watch.namespaces}), released at once, measured (a
 * benchmark, not a test). For each N (default 100, 300, 1000) a fresh kwok control plane with
 * enough fake nodes, {@link FleetTelemetry} standing in for the mesh's metrics of N workloads, a
 * real Prometheus, and Ramp as a process with the chart's JVM settings
 * ({@link OperatorProcess#CHART_JVM}). N Rollouts over N/{@value ScaleFleet#PER_NAMESPACE} namespaces
 * (interval {@value ScaleFleet#INTERVAL_SECONDS}s, three steps, one built-in metric) are made ready, then
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

    private ScaleBenchmark() {
    }

    /** Ramp's own run, or the same releases through Flagger. */
    static final String RAMP = "ramp";
    static final String FLAGGER = "flagger";
    /** How the scale benchmark runs Flagger (FlaggerProcess). */
    static final String FLAGGER_FLAGS = "-mesh-provider istio -metrics-server <the lab's Prometheus>, defaults otherwise"
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
                ScaleTable.write(root, out, results);
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
            ScaleFleet.addNodes(client, n);
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

    private static Result measure(KubernetesClient client, Size size, Prometheus prometheus, List<Operator> operators,
            ReleaseTimeline timeline) throws Exception {
        int n = size.rollouts();
        int namespaces = ScaleFleet.namespaces(n);
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
        Map<String, Double> apiBefore = ScaleCounters.apiRequests(client);
        double promqlBefore = ScaleCounters.promqlQueries(prometheus);
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
        Map<String, Double> apiAfter = ScaleCounters.apiRequests(client);
        double promqlAfter = ScaleCounters.promqlQueries(prometheus);
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
     * The operator's JVM options: the chart's ({@link OperatorProcess#chartJvm}), or to try others
     * (e.g. with {@code -XX:NativeMemoryTracking=summary}) the environment variable
     * {@code RAMP_SCALE_JVM}, space-separated; the JSON and the table say which ran.
     */
    static List<String> jvm(Path root) throws IOException {
        String options = System.getenv().getOrDefault("RAMP_SCALE_JVM", "").strip();
        return options.isEmpty() ? OperatorProcess.chartJvm(root) : List.of(options.split("\\s+"));
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

}
