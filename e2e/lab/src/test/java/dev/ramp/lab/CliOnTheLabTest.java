package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.cli.Ramp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
}
