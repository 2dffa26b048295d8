package dev.ramp.cli;

import static dev.ramp.cli.testing.FakeOperator.failed;
import static dev.ramp.cli.testing.FakeOperator.progressing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.api.Strategy;
import dev.ramp.cli.testing.FakeOperator;
import dev.ramp.cli.testing.RampCli.Result;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The file users install, target/ramp (a shell stub and the shaded jar), run as a process with
 * KUBECONFIG set: proves the jar holds everything the commands need.
 */
class ExecutableIT {

    private final TestCluster cluster = TestCluster.get();
    private final Path executable = Path.of(System.getProperty("ramp.executable", "target/ramp"));
    private String namespace;
    private FakeOperator operator;

    @BeforeEach
    void rollouts() {
        namespace = cluster.newNamespace("exec");
        operator = new FakeOperator(cluster.client(), namespace);
        operator.create("podinfo", "podinfo", Strategy.Canary);
        operator.status("podinfo", progressing(2, 99.9));
        operator.create("backend", "backend", Strategy.Canary);
        operator.status("backend", failed("AnalysisFailed", "request-success-rate: 80 is below the minimum 99"));
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    @Test
    void printsItsVersion() throws Exception {
        Result result = run("--version");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).matches("ramp \\d+\\.\\d+\\.\\d+.*\n");
    }

    @Test
    void runsEveryKindOfCommandAgainstTheCluster() throws Exception {
        Result get = run("get", "-n", namespace);
        Result status = run("status", "podinfo", "-n", namespace, "-o", "json");
        Result watch = run("watch", "backend", "-n", namespace);
        Result promote = run("promote", "podinfo", "-n", namespace, "--wait=false");

        assertThat(get.exitCode()).as(get.toString()).isEqualTo(0);
        assertThat(get.out()).containsPattern("(?m)^podinfo +Canary +Progressing +50 ");
        assertThat(get.err()).isEmpty();
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(0);
        assertThat(Serialization.jsonMapper().readTree(status.out()).path("step").asInt()).isEqualTo(3);
        assertThat(watch.exitCode()).as(watch.toString()).isEqualTo(ExitCodes.RELEASE_FAILED);
        assertThat(promote.exitCode()).as(promote.toString()).isEqualTo(0);
        Rollout podinfo = cluster.client().resources(Rollout.class).inNamespace(namespace).withName("podinfo").get();
        assertThat(podinfo.getMetadata().getAnnotations().get(RolloutActions.ANNOTATION)).startsWith("promote/");
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("ramp-out", ".txt");
        Path err = Files.createTempFile("ramp-err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("KUBECONFIG", cluster.kubeconfigFile().toString());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ramp " + String.join(" ", args) + " ends").isTrue();
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }
}
