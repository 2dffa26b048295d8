package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.ParentRef;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingCondition;
import dev.ramp.api.RoutingProvider;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeGatewayController;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ramp on a cluster with neither Istio nor the Gateway API: it starts and is ready, holds a
 * GatewayAPI Rollout with a condition naming the missing CRDs, nothing of it applied; once the
 * Gateway API's CRDs are installed the same operator routes it by an HTTPRoute.
 */
class GatewayApiNotInstalledTest {

    private static final String MISSING =
            "The Gateway API's HTTPRoute and GRPCRoute CRDs (gateway.networking.k8s.io/v1) are not installed";

    private TestCluster cluster;
    private KubernetesClient client;
    private RampOperator operator;
    private CanaryFixture fx;
    private FakeGatewayController gateways;

    @BeforeEach
    void start() {
        cluster = TestCluster.withoutIstio();
        client = cluster.client();
        operator = new RampOperator(client, "http://127.0.0.1:9").start();
        fx = new CanaryFixture(client, cluster.newNamespace("no-gateway-api"));
        gateways = new FakeGatewayController(client, fx.namespace);
    }

    @AfterEach
    void stop() {
        gateways.close();
        fx.close();
        operator.close();
        cluster.close();
    }

    @Test
    void aGatewayApiRolloutIsHeldUntilItsCrdsAreInstalledThenRouted() {
        assertThat(operator.unhealthyEventSources()).as("ready without Istio or the Gateway API").isEmpty();
        fx.createTarget("podinfo:1.0");
        fx.createRollout(r -> {
            r.getSpec().getService().setProvider(RoutingProvider.GatewayAPI);
            r.getSpec().getService().setParentRefs(List.of(new ParentRef("public", null)));
            r.getSpec().getAnalysis().setSkipAnalysis(true);
        });

        Condition held = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> routing(RoutingCondition.TYPE), c -> c != null
                        && RoutingCondition.ROUTER_NOT_INSTALLED.equals(c.getReason()));
        assertThat(held.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(held.getMessage()).startsWith(MISSING);
        await("held").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                fx.rollout().getStatus().getPhase() == Phase.Initializing && fx.deployment("podinfo-primary") == null
                        && client.services().inNamespace(fx.namespace).list().getItems().isEmpty());
        assertThat(fx.events(RoutingCondition.ROUTER_NOT_INSTALLED)).hasSize(1);

        cluster.installGatewayApi();

        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(routing(RoutingCondition.TYPE).getReason()).isEqualTo(RoutingCondition.ROUTER_INSTALLED);
        HTTPRoute route = await().atMost(Duration.ofSeconds(10))
                .until(() -> client.resources(HTTPRoute.class).inNamespace(fx.namespace).withName("podinfo").get(), r -> r != null);
        assertThat(route.getSpec().getRules()).singleElement().satisfies(rule -> assertThat(rule.getBackendRefs())
                .extracting(b -> b.getName() + "=" + b.getWeight()).containsExactly("podinfo-primary=100", "podinfo-canary=0"));
        assertThat(routing(RoutingCondition.ACCEPTED_TYPE).getStatus()).isEqualTo(Conditions.TRUE);
        assertThat(operator.unhealthyEventSources()).as("ready, watching the Gateway API's kinds").isEmpty();
    }

    private Condition routing(String type) {
        Rollout rollout = fx.rollout();
        return rollout == null || rollout.getStatus() == null ? null
                : Conditions.find(rollout.getStatus().getConditions(), type).orElse(null);
    }
}
