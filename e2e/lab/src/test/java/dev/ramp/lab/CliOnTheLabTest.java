package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.cli.Ramp;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The {@code ramp} CLI against running releases on the lab, with the real operator acting on what
 * it asks: watch's exit codes for a promoted and a rolled-back release, status, and pause,
 * promote and resume carried out by the operator. On the real cluster where the machine runs it,
 * with Ramp installed by Helm ({@link Lab.Mode#preferred}), else on kwok; in the pom's
 * {@code cluster} execution, as {@link LabReleaseTest}.
 */
@Tag("cluster")
class CliOnTheLabTest {

    // At 20 users per second a 10% canary serves about 10 requests per 5s window: a minimum sample of 5.
    private static final Manifests.Analysis STEADY = new Manifests.Analysis("3s", 2, List.of(10, 20, 30, 40, 50), "5s", 5);

    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-cli")).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /** What one {@code ramp} command line did. */
    record Result(int exitCode, String out, String err) {
    }

    private static Result ramp(String namespace, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kubeconfig", lab.kubeconfig().toString(), "-n", namespace));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Ramp.execute(Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true),
                all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /** Git's change reaches the cluster through the GitSource; watch follows a release once it runs. */
    private static void awaitRelease(LabApp app) {
        await().atMost(Duration.ofSeconds(30)).until(() -> "Progressing".equals(app.rollout().phase()));
    }

    @Test
    void watchFollowsReleasesToTheirOutcomeAndActionsAreCarriedOut() throws Exception {
        try (LabApp app = lab.app("cli", STEADY).bootstrap("1.0.0", 20)) {
            Result get = ramp("cli", "get");
            assertThat(get.exitCode()).isZero();
            assertThat(get.out()).contains("podinfo").contains("Initialized");

            // A good release: watch exits 0 once it is promoted.
            app.release("2.0.0", 0);
            awaitRelease(app);
            Result good = ramp("cli", "watch", "podinfo", "--timeout", "120s");
            assertThat(good.exitCode()).as(good.toString()).isZero();
            assertThat(good.out()).contains("Progressing").contains("Succeeded").contains("%");
            Result status = ramp("cli", "status", "podinfo");
            assertThat(status.exitCode()).isZero();
            assertThat(status.out()).contains("Succeeded").contains("request-success-rate");

            // Pause, promote and resume a release in flight: the operator carries out each request.
            app.release("3.0.0", 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> app.rollout().canaryWeight() == 10);
            assertThat(ramp("cli", "pause", "podinfo").exitCode()).isZero();
            await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8)).until(() -> app.rollout().canaryWeight() == 10);
            Result promote = ramp("cli", "promote", "podinfo");
            assertThat(promote.exitCode()).as(promote.toString()).isZero();
            assertThat(ramp("cli", "resume", "podinfo").exitCode()).isZero();
            Result promoted = ramp("cli", "watch", "podinfo", "--timeout", "60s");
            assertThat(promoted.exitCode()).as(promoted.toString()).isZero();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:3.0.0");

            // A bad release: watch exits 1 when it is rolled back.
            app.release("4.0.0", 0.3);
            awaitRelease(app);
            Result bad = ramp("cli", "watch", "podinfo", "--timeout", "120s");
            assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
            assertThat(bad.out()).contains("Failed");
        }
    }

    /**
     * What {@code e2e/lab.sh} prints for the user ({@link Lab#userCommands}) works as printed, from a
     * shell outside the lab: in the cluster lab, from the namespaces the lab's own were made from
     * (this JVM's parent, the Maven JVM, is still in them), so {@code e2e/lab.sh exec} has to reach
     * into the lab's network. {@code kubectl ramp} is found as {@code cli/install.sh} lays it out.
     */
    @Test
    void theCommandsTheLabPrintsWorkFromTheUsersShell() throws Exception {
        try (LabApp app = lab.app("shell", STEADY).bootstrap("1.0.0", 20)) {
            Path prefix = Files.createTempDirectory("ramp-cli-prefix");
            Files.createDirectories(prefix.resolve("bin"));
            Files.createSymbolicLink(prefix.resolve("bin/kubectl-ramp"), lab.root().resolve("cli/target/ramp"));
            List<String> commands = lab.userCommands("shell");
            List<String> shown = List.of("podinfo", "Initialized", "\"version\":\"1.0.0\"", "\"status\":\"success\"");
            assertThat(commands).hasSameSizeAs(shown);
            for (int i = 0; i < commands.size(); i++) {
                Result result = fromUsersShell(commands.get(i), prefix);
                assertThat(result.exitCode()).as(commands.get(i) + " " + result).isZero();
                assertThat(result.out()).as(commands.get(i) + " " + result).contains(shown.get(i));
            }
        }
    }

    /** Runs a command line as a user's shell in the repository's root would, outside the lab's namespaces. */
    private static Result fromUsersShell(String line, Path prefix) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        String outer = System.getenv("RAMP_LAB_NETNS");
        if (outer != null && !outer.isBlank()) {
            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            String parentNet = Files.readSymbolicLink(Path.of("/proc/" + parent + "/ns/net")).toString();
            assertThat(outer).as("the namespaces netns.sh left hold this JVM's parent").contains(parentNet);
            // Entering a mount namespace moves to its root: --wd keeps the repository's root.
            command.addAll(List.of("nsenter", "--target", Long.toString(parent), "--net", "--mount",
                    "--wd=" + lab.root(), "--"));
        }
        command.addAll(List.of("bash", "-c", line));
        ProcessBuilder builder = new ProcessBuilder(command).directory(lab.root().toFile());
        builder.environment().put("RAMP_LAB_DIR", lab.dir().toString());
        builder.environment().put("PREFIX", prefix.toString());
        // Surefire's JAVA_HOME here is the netns-jdk wrapper, whose java starts a namespace of its
        // own: the ramp CLI must run on the real JDK, as in a user's shell.
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile("ramp-shell", ".out");
        Path err = Files.createTempFile("ramp-shell", ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Result result = new Result(process.isAlive() ? -1 : process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }
}
