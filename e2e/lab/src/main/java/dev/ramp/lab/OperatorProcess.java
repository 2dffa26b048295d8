package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ramp as users run it: the packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar})
 * in its own JVM, configured through the environment. It can be killed (SIGKILL) and started
 * again, as when its pod dies mid-release.
 */
final class OperatorProcess implements AutoCloseable {

    private final Path dir;
    private final Path jar;
    private final Map<String, String> env;
    /**
     * The JVM as the chart runs it in its container (memory limit 512Mi, the image's
     * {@code -XX:MaxRAMPercentage=75}): outside a container, {@code MaxRAM} stands in for the limit.
     */
    static final List<String> CHART_JVM = List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75");
    private final int httpPort = Net.freePort();
    private final int managementPort = Net.freePort();
    private ChildProcess process;
    private int starts;

    private final List<String> jvmOptions;

    OperatorProcess(Path dir, Path root, Path kubeconfig, String prometheus) {
        this(dir, root, kubeconfig, prometheus, List.of("-Xmx384m", "-XX:+UseSerialGC"));
    }

    /** With the JVM sized by {@code jvmOptions} (e.g. as the chart sizes it: {@link #CHART_JVM}). */
    OperatorProcess(Path dir, Path root, Path kubeconfig, String prometheus, List<String> jvmOptions) {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.dir = dir;
        this.jar = root.resolve("operator/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build it with ./mvnw -B -DskipTests package");
        }
        this.env = Map.of("KUBECONFIG", kubeconfig.toString(), "RAMP_PROMETHEUS_ADDRESS", prometheus,
                "QUARKUS_PROFILE", "single",
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort), "QUARKUS_HTTP_HOST", "127.0.0.1",
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort), "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
                "RAMP_GIT_CACHE_DIR", dir.resolve("operator-git-cache").toString(),
                // On kwok the lab's Git server (a GitSource's URL, a tenant's) listens on loopback,
                // which tenant URLs may not reach by default: the platform team's allow list says so.
                "RAMP_EGRESS_IN_CLUSTER_ALLOW", "127.0.0.0/8");
    }

    OperatorProcess start() throws IOException {
        starts++;
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dramp.lab.dir=" + dir, "-jar", jar.toString()));
        process = ChildProcess.start(dir, "operator", command, env);
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
