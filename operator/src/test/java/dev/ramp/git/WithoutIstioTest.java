package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitSource;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingCondition;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ramp on a cluster without Istio (a kube-apiserver of this test's own, with Ramp's CRDs only):
 * it starts and is ready, syncs Git, and holds a Rollout with a condition naming the missing CRDs,
 * nothing of it applied; once the CRDs are installed the same operator, never restarted, routes
 * the Rollout and releases it.
 */
class WithoutIstioTest {

    private static final String MISSING =
            "Istio's VirtualService and DestinationRule CRDs (networking.istio.io/v1) are not installed";

    private TestCluster cluster;
    private KubernetesClient client;
    private GitHttpServer server;
    private RampOperator operator;
    private GitFixture fx;
    private FakeKubelet kubelet;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.withoutIstio();
        client = cluster.client();
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
        // No Prometheus: the release is followed up to its first step only, whose checks are 30 s away.
        operator = new RampOperator(client, "http://127.0.0.1:1").start();
        fx = new GitFixture(client, server, cluster.newNamespace("noistio"));
        kubelet = new FakeKubelet(client, fx.namespace);
    }

    @AfterEach
    void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (fx != null) {
            fx.close();
        }
        if (operator != null) {
            operator.close();
        }
        if (server != null) {
            server.close();
        }
        cluster.close();
    }

    @Test
    void aRolloutIsHeldUntilIstioIsInstalledThenGoesOnWithoutARestart() throws Exception {
        assertThat(operator.unhealthyEventSources()).as("ready without Istio").isEmpty();
        fx.dev.write("apps/podinfo/deploy.yaml", GitRevertTest.deployment("podinfo:1.0"))
                .write("apps/podinfo/rollout.yaml", rolloutYaml());
        String first = fx.dev.commitAndPush("podinfo 1.0");
        fx.createSource("apps", "1h", source -> source.setServiceAccountName(fx.deployer()));
        fx.awaitSource(Duration.ofSeconds(60), s -> first.equals(s.getStatus().getLastAppliedCommit()));

        Condition held = awaitRouting(c -> RoutingCondition.ROUTER_NOT_INSTALLED.equals(c.getReason()));
        assertThat(held.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(held.getMessage()).startsWith(MISSING);
        // Held with nothing half applied: no primary, the target untouched, no Service, no Event repeated.
        await("held").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                rollout().getStatus().getPhase() == Phase.Initializing
                        && client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-primary").get() == null
                        && client.apps().deployments().inNamespace(fx.namespace).withName("podinfo").get().getSpec().getReplicas() == 2
                        && client.services().inNamespace(fx.namespace).list().getItems().isEmpty());
        assertThat(events(RoutingCondition.ROUTER_NOT_INSTALLED)).hasSize(1);
        assertThat(operator.unhealthyEventSources()).as("still ready").isEmpty();

        cluster.installIstio();

        Rollout initialized = await("initialized once Istio is installed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(this::rollout, r -> r.getStatus().getPhase() == Phase.Initialized);
        assertThat(Conditions.find(initialized.getStatus().getConditions(), RoutingCondition.TYPE).orElseThrow().getReason())
                .isEqualTo(RoutingCondition.ROUTER_INSTALLED);
        await("routed to the primary").atMost(Duration.ofSeconds(10)).until(() -> canaryWeight() != null && canaryWeight() == 0);
        assertThat(client.services().inNamespace(fx.namespace).list().getItems()).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("podinfo", "podinfo-primary", "podinfo-canary");

        fx.dev.write("apps/podinfo/deploy.yaml", GitRevertTest.deployment("podinfo:2.0"));
        String second = fx.dev.commitAndPush("podinfo 2.0");
        fx.requestSync();
        fx.awaitSource(Duration.ofSeconds(20), s -> second.equals(s.getStatus().getLastAppliedCommit()));

        await("the canary's first step routed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> rollout().getStatus().getPhase() == Phase.Progressing && Integer.valueOf(50).equals(canaryWeight()));
        assertThat(operator.unhealthyEventSources()).as("ready, watching Istio's kinds").isEmpty();
        // The VirtualService is watched now: deleted, it comes back at once.
        client.resources(VirtualService.class).inNamespace(fx.namespace).withName("podinfo").delete();
        await("VirtualService restored").atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(50).equals(canaryWeight()));
    }

    private static String rolloutYaml() {
        return """
                apiVersion: ramp.dev/v1alpha1
                kind: Rollout
                metadata:
                  name: podinfo
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
                  progressDeadlineSeconds: 60
                  service: {port: 9898}
                  analysis:
                    interval: 30s
                    threshold: 2
                    stepWeights: [50]
                    metrics:
                      - name: request-success-rate
                        thresholdRange: {min: 99}
                        interval: 30s
                """;
    }

    private Rollout rollout() {
        return client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").get();
    }

    private Condition awaitRouting(Predicate<Condition> until) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Rollout rollout = rollout();
            return rollout == null || rollout.getStatus() == null ? null
                    : Conditions.find(rollout.getStatus().getConditions(), RoutingCondition.TYPE).orElse(null);
        }, c -> c != null && until.test(c));
    }

    /** The canary's weight in the default route of the VirtualService; null while there is none. */
    private Integer canaryWeight() {
        VirtualService vs = client.resources(VirtualService.class).inNamespace(fx.namespace).withName("podinfo").get();
        if (vs == null) {
            return null;
        }
        return vs.getSpec().getHttp().stream().filter(r -> "primary".equals(r.getName())).findFirst().orElseThrow()
                .getRoute().stream().filter(d -> d.getDestination().getHost().equals("podinfo-canary"))
                .map(HTTPRouteDestination::getWeight).findFirst().orElse(0);
    }

    private java.util.List<Event> events(String reason) {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }
}
