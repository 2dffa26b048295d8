package dev.ramp.cli;

import static dev.ramp.cli.testing.FakeOperator.progressing;
import static dev.ramp.cli.testing.FakeOperator.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Rollout;
import dev.ramp.api.Strategy;
import dev.ramp.cli.testing.FakeOperator;
import dev.ramp.cli.testing.RampCli;
import dev.ramp.cli.testing.RampCli.Result;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GetCommandTest {

    private final TestCluster cluster = TestCluster.get();
    private String namespace;
    private FakeOperator operator;
    private RampCli ramp;

    @BeforeEach
    void rollouts() {
        namespace = cluster.newNamespace("get");
        operator = new FakeOperator(cluster.client(), namespace);
        ramp = new RampCli(cluster.kubeconfigFile(), namespace);
        operator.create("podinfo", "podinfo", Strategy.Canary);
        operator.status("podinfo", progressing(1, 99.5));
        operator.create("backend", "backend", Strategy.BlueGreen);
        operator.status("backend", succeeded("0123456789abcdef", "9be1d2a4c0ffee00"));
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    @Test
    void listsRolloutsAsATable() {
        Result result = ramp.run("get");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out().lines().toList()).hasSize(3);
        assertThat(result.out().lines().findFirst()).hasValueSatisfying(header -> assertThat(header)
                .matches("NAME +STRATEGY +PHASE +WEIGHT +FAILED +LAST PROMOTED +AGE"));
        assertThat(result.out()).containsPattern("(?m)^backend +BlueGreen +Succeeded +0 +0 +9be1d2a +\\d+s$");
        assertThat(result.out()).containsPattern("(?m)^podinfo +Canary +Progressing +20 +0 +<none> +\\d+s$");
    }

    @Test
    void showsOneRolloutAndMarksAPausedOne() {
        ramp.run("pause", "podinfo");

        Result result = ramp.run("get", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).containsPattern("(?m)^podinfo +Canary +Progressing,Paused +20 ");
        assertThat(result.out()).doesNotContain("backend");
    }

    @Test
    void printsOneRolloutAsJson() {
        Result result = ramp.run("get", "podinfo", "-o", "json");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        Rollout rollout = Serialization.unmarshal(result.out(), Rollout.class);
        assertThat(rollout.getKind()).isEqualTo("Rollout");
        assertThat(rollout.getMetadata().getName()).isEqualTo("podinfo");
        assertThat(rollout.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(rollout.getStatus().getCanaryWeight()).isEqualTo(20);
        assertThat(result.out()).startsWith("{\n");
    }

    @Test
    void printsTheListAsYaml() {
        Result result = ramp.run("get", "-o", "yaml");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).startsWith("apiVersion: \"v1\"").doesNotStartWith("---");
        KubernetesList list = Serialization.unmarshal(result.out(), KubernetesList.class);
        assertThat(list.getItems()).extracting(i -> i.getMetadata().getName()).containsExactly("backend", "podinfo");
    }

    @Test
    void listsEveryNamespaceWithAllNamespaces() {
        String other = cluster.newNamespace("get-other");
        try (FakeOperator there = new FakeOperator(cluster.client(), other)) {
            there.create("frontend", "frontend", Strategy.Canary);
        }

        Result result = ramp.run("get", "-A");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out().lines().findFirst()).hasValueSatisfying(h -> assertThat(h).matches("NAMESPACE +NAME +STRATEGY .*"));
        assertThat(result.out()).containsPattern("(?m)^" + other + " +frontend +Canary +<none> +0 +0 +<none> ");
        assertThat(result.out()).containsPattern("(?m)^" + namespace + " +podinfo +Canary +Progressing ");
    }

    @Test
    void aMissingRolloutIsRefusedByName() {
        Result result = ramp.run("get", "nope");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("error: rollout \"nope\" not found in namespace \"" + namespace + "\"\n");
    }

    @Test
    void anEmptyNamespaceSaysSo() {
        String empty = cluster.newNamespace("get-empty");

        Result result = new RampCli(cluster.kubeconfigFile(), empty).run("get");

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("No resources found in " + empty + " namespace.\n");
    }

    @Test
    void sharedOptionsGoBeforeOrAfterTheCommand() {
        Result before = RampCli.exec("--kubeconfig", cluster.kubeconfigFile().toString(), "-n", namespace, "get", "podinfo");
        Result after = RampCli.exec("get", "podinfo", "--namespace=" + namespace, "--kubeconfig=" + cluster.kubeconfigFile());

        assertThat(before.exitCode()).as(before.toString()).isEqualTo(0);
        assertThat(after.exitCode()).as(after.toString()).isEqualTo(0);
        // The AGE column may tick between the two runs; everything else must be the same.
        assertThat(withoutAge(before.out())).contains("podinfo").isEqualTo(withoutAge(after.out()));
    }

    private static String withoutAge(String table) {
        return table.replaceAll("\\s+\\S+\\n", "\n");
    }

    @Test
    void anUnknownOutputFormatIsAUsageError() {
        Result result = ramp.run("get", "-o", "xml");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("Invalid value for option '--output'", "json, yaml");
    }
}
