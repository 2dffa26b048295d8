package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ramp as users run it: the packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar})
 * in its own JVM, configured through the environment. It can be killed (SIGKILL) and started
 * again, as when its pod dies mid-release.
 */
final class OperatorProcess implements AutoCloseable {

    private final Path dir;
    /** Its log's name in the lab directory, and its Git cache's: "operator", or a shard's. */
    private final String name;
    private final Path jar;
    private final Map<String, String> env;
    /** The chart's memory limit, which {@code -XX:MaxRAM} stands in for outside a container. */
    static final String CHART_MEMORY_LIMIT = "512m";

    /**
     * The JVM as the chart runs it in its container: the image's options (operator/pom.xml's
     * {@code quarkus.jib.jvm-additional-arguments}, read from there so the two cannot differ) with
     * {@code -XX:MaxRAM} for the container's limit, and the chart's {@code MALLOC_ARENA_MAX}
     * ({@link #CHART_ENV}).
     */
    static List<String> chartJvm(Path root) throws IOException {
        Matcher m = Pattern.compile("<quarkus\\.jib\\.jvm-additional-arguments>([^<]+)<")
                .matcher(Files.readString(root.resolve("operator/pom.xml")));
        if (!m.find()) {
            throw new IllegalStateException("operator/pom.xml has no quarkus.jib.jvm-additional-arguments");
        }
        List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=" + CHART_MEMORY_LIMIT));
        options.addAll(List.of(m.group(1).strip().split(",")));
        return options;
    }

    /** What the chart's Deployment sets in the container's environment besides Ramp's own settings. */
    static final Map<String, String> CHART_ENV = Map.of("MALLOC_ARENA_MAX", "2");
    private final int httpPort = Net.freePort();
    private final int managementPort = Net.freePort();
    private ChildProcess process;
    private int starts;

    private final List<String> jvmOptions;

    OperatorProcess(Path dir, Path root, Path kubeconfig, String prometheus) {
        this(dir, root, kubeconfig, prometheus, List.of("-Xmx384m", "-XX:+UseSerialGC"), Map.of());
    }

    /**
     * With the JVM sized by {@code jvmOptions} and {@code moreEnv} in its environment (e.g. as the
     * chart runs it: {@link #chartJvm}, {@link #CHART_ENV}).
     */
    OperatorProcess(Path dir, Path root, Path kubeconfig, String prometheus, List<String> jvmOptions,
            Map<String, String> moreEnv) {
        this("operator", dir, root, kubeconfig, prometheus, jvmOptions, moreEnv);
    }

    /** The same, named {@code name} (its log {@code <name>.log}): one of several, e.g. a shard. */
    OperatorProcess(String name, Path dir, Path root, Path kubeconfig, String prometheus, List<String> jvmOptions,
            Map<String, String> moreEnv) {
        this.name = name;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.dir = dir;
        this.jar = root.resolve("operator/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build it with ./mvnw -B -DskipTests package");
        }
        Map<String, String> env = new HashMap<>(moreEnv);
        env.putAll(Map.of("KUBECONFIG", kubeconfig.toString(), "RAMP_PROMETHEUS_ADDRESS", prometheus,
                "QUARKUS_PROFILE", "single",
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort), "QUARKUS_HTTP_HOST", "127.0.0.1",
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort), "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
                "RAMP_GIT_CACHE_DIR", dir.resolve(name + "-git-cache").toString(),
                // On kwok the lab's Git server (a GitSource's URL, a tenant's) listens on loopback,
                // which tenant URLs may not reach by default: the platform team's allow list says so.
                "RAMP_EGRESS_IN_CLUSTER_ALLOW", "127.0.0.0/8"));
        this.env = Map.copyOf(env);
    }

    OperatorProcess start() throws IOException {
        starts++;
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dramp.lab.dir=" + dir, "-jar", jar.toString()));
        process = ChildProcess.start(dir, name, command, env);
        Net.await("the operator (" + process.log() + ")", Duration.ofSeconds(90),
                () -> process.alive() && Net.answers(metricsAddress() + "/q/health/ready", 200));
        return this;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Kills the operator with SIGKILL: no shutdown, no status written on the way out. */
    void kill() {
        process.kill();
    }

    int starts() {
        return starts;
    }

    /** Push webhooks are received on the operator's HTTP port. */
    String webhookUrl(String namespace, String gitSource) {
        return "http://127.0.0.1:" + httpPort + "/hooks/" + namespace + "/" + gitSource;
    }

    /** Where the operator's own metrics and health are: {@code /q/metrics}, {@code /q/health} (management port). */
    String metricsAddress() {
        return "http://127.0.0.1:" + managementPort;
    }

    Path log() {
        return process.log();
    }

    /** The operator's JVM's process ID, for its RSS and CPU time ({@link ProcessGauges}). */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
