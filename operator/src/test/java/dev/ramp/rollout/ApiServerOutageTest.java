package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TcpProxy;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator loses the API server for 30 seconds mid-release (a proxy in front of it is cut;
 * the rest of the test keeps the server): the release must not be left stranded, and completes
 * within a minute of the server's return.
 */
class ApiServerOutageTest {

    @Test
    void aReleaseCompletesWithinAMinuteOfTheApiServersReturn() throws Exception {
        KubernetesClient client = TestCluster.get().client();
        URI server = URI.create(client.getConfiguration().getMasterUrl());
        String namespace = TestCluster.get().newNamespace("apidown");
        try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort());
                KubernetesClient operatorClient = throughProxy(proxy);
                IstioTelemetry telemetry = new IstioTelemetry(client);
                TestPrometheus prometheus = new TestPrometheus(telemetry.target());
                RampOperator operator = new RampOperator(operatorClient, prometheus.address()).start();
                CanaryFixture fx = new CanaryFixture(client, namespace)) {
            telemetry.serve(namespace, "podinfo", 100, 20);
            fx.createTarget("podinfo:1.0");
            fx.createRollout(List.of(20, 40, 60), "2s", 1, "2s");
            fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
            prometheus.awaitScrapes();
            fx.watchWeights();

            fx.release("podinfo:2.0");
            await().atMost(Duration.ofSeconds(60)).until(() -> Integer.valueOf(20).equals(fx.canaryWeight()));
            proxy.cut();
            Thread.sleep(30_000);
            // Nothing moved while Ramp could not reach the API server.
            assertThat(fx.canaryWeight()).isEqualTo(20);
            proxy.resume();
            Instant back = Instant.now();
            Rollout done = fx.awaitPhase(Phase.Succeeded, Duration.ofSeconds(90));

            assertThat(Duration.between(back, Instant.now())).isLessThan(Duration.ofSeconds(60));
            assertThat(done.getStatus().getFailedChecks()).isZero();
            assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(0, 20, 40, 60, 0));
        }
    }

    /** A client of the test cluster whose every request goes through the proxy, with as few retries of its own as Ramp's. */
    private static KubernetesClient throughProxy(TcpProxy proxy) {
        Config config = Config.fromKubeconfig(TestCluster.get().kubeconfig());
        URI master = URI.create(config.getMasterUrl());
        config.setMasterUrl(master.getScheme() + "://" + master.getHost() + ":" + proxy.port());
        config.setRequestRetryBackoffLimit(3);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
