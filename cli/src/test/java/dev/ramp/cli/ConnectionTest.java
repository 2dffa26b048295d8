package dev.ramp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Strategy;
import dev.ramp.cli.testing.FakeOperator;
import dev.ramp.cli.testing.RampCli;
import dev.ramp.cli.testing.RampCli.Result;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which cluster and namespace the CLI uses, and how it fails when it cannot use one. */
class ConnectionTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void kubeconfigFromTheEnvironmentAndNamespaceFromTheContext() throws IOException {
        String namespace = cluster.newNamespace("conn");
        try (FakeOperator operator = new FakeOperator(cluster.client(), namespace)) {
            operator.create("podinfo", "podinfo", Strategy.Canary);
        }
        var config = KubeConfigUtils.parseConfigFromString(cluster.kubeconfig());
        String context = config.getCurrentContext();
        config.getContexts().add(new NamedContextBuilder().withName("team").withNewContext()
                .withCluster(config.getContexts().get(0).getContext().getCluster())
                .withUser(config.getContexts().get(0).getContext().getUser())
                .withNamespace(namespace).endContext().build());
        Path kubeconfig = TestCluster.write("ramp-cli-contexts", Serialization.asYaml(config));
        // fabric8 reads KUBECONFIG from the environment, or from this property, as kubectl reads KUBECONFIG.
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            Result inContext = RampCli.exec("get", "--context", "team");
            Result current = RampCli.exec("get", "--context", context, "podinfo");

            assertThat(inContext.exitCode()).as(inContext.toString()).isEqualTo(0);
            assertThat(inContext.out()).containsPattern("(?m)^podinfo +Canary ");
            assertThat(current.exitCode()).isEqualTo(ExitCodes.REFUSED);
            assertThat(current.err()).isEqualTo("error: rollout \"podinfo\" not found in namespace \"default\"\n");
        } finally {
            System.clearProperty("kubeconfig");
        }
    }

    @Test
    void anUnreachableClusterIsExitTwo() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path kubeconfig = TestCluster.write("ramp-cli-unreachable", """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """.formatted(port));

        Result result = RampCli.exec("get", "--kubeconfig", kubeconfig.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).isEqualTo("error: cannot reach the Kubernetes API server at https://127.0.0.1:" + port
                + "/: connection refused\n");
    }

    @Test
    void anUnknownContextIsExitTwo() {
        Result result = RampCli.exec("get", "--kubeconfig", cluster.kubeconfigFile().toString(), "--context", "nope");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).isEqualTo("error: context \"nope\" does not exist in the kubeconfig\n");
    }

    @Test
    void aMissingKubeconfigIsExitTwo() {
        Result result = RampCli.exec("status", "podinfo", "--kubeconfig", "/nonexistent/kubeconfig");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).isEqualTo("error: cannot read kubeconfig /nonexistent/kubeconfig\n");
    }

    @Test
    void usageErrorsAreExitTwo() {
        Result none = RampCli.exec();
        Result unknown = RampCli.exec("rollback", "podinfo");
        Result noName = RampCli.exec("status");

        assertThat(none.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("Usage: ramp", "Exit codes:");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("Unmatched arguments from index 0: 'rollback', 'podinfo'");
        assertThat(noName.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noName.err()).contains("Missing required parameter: 'NAME'");
    }

    @Test
    void helpAndVersionAreExitZero() {
        Result help = RampCli.exec("watch", "--help");
        Result version = RampCli.exec("--version");

        assertThat(help.exitCode()).isEqualTo(0);
        assertThat(help.out()).contains("Usage: ramp watch", "--timeout=DURATION");
        assertThat(version.exitCode()).isEqualTo(0);
        assertThat(version.out()).startsWith("ramp ");
    }
}
