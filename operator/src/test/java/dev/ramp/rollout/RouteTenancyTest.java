package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingCondition;
import dev.ramp.kube.Conditions;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a tenant's Rollout may route, against the real kube-apiserver: hosts and gateways that are
 * not its own get a condition naming the field and no route, while what the operator's settings
 * allow (here login.example.com through istio-system/public, for one namespace) is routed.
 */
class RouteTenancyTest {

    private static final List<String> HOSTILE_HOSTS = List.of("web.team-b.svc.cluster.local", "login.example.com");
    private static final List<String> PUBLIC_GATEWAY = List.of("istio-system/public");

    private static KubernetesClient client;
    private static RampOperator operator;
    private static CanaryFixture other;
    private static CanaryFixture allowed;
    private static CanaryFixture edited;

    /** One namespace the operator allows nothing more, two it allows login.example.com through istio-system/public. */
    @BeforeAll
    static void operatorAllowingLoginForTwoNamespaces() {
        client = TestCluster.get().client();
        other = CanaryFixture.inNewNamespace(client, "routes-other");
        allowed = CanaryFixture.inNewNamespace(client, "routes-allowed");
        edited = CanaryFixture.inNewNamespace(client, "routes-edited");
        operator = new RampOperator(client, "http://127.0.0.1:9").withRoutePolicy(RoutePolicy.of(
                List.of(allowed.namespace + "=login.example.com", edited.namespace + "=login.example.com"),
                List.of(allowed.namespace + "=istio-system/public"))).start();
    }

    @AfterAll
    static void stop() {
        operator.close();
        other.close();
        allowed.close();
        edited.close();
    }

    @Test
    void aRolloutClaimingAnotherTeamsHostAndAPublicGatewayIsHeldWithNothingRouted() {
        other.createTarget("podinfo:1.0");
        other.createRollout(r -> {
            r.getSpec().getService().setHosts(HOSTILE_HOSTS);
            r.getSpec().getService().setGateways(PUBLIC_GATEWAY);
        });

        Condition refused = awaitRouting(other, RoutingCondition.REFUSED);
        assertThat(refused.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(refused.getMessage())
                .contains("spec.service.hosts[0]: web.team-b.svc.cluster.local is not a name of this Rollout's Services")
                .contains("spec.service.hosts[1]: login.example.com is not a name of this Rollout's Services")
                .contains("other hosts the operator allows in namespace " + other.namespace + ": none (ramp.routing.allowed-hosts)")
                .contains("spec.service.gateways[0]: istio-system/public is a gateway of namespace istio-system, not "
                        + other.namespace);
        assertThat(other.events(RoutingCondition.REFUSED)).isNotEmpty();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(client.resources(VirtualService.class).inNamespace(other.namespace).list().getItems()).isEmpty();
            assertThat(client.resources(DestinationRule.class).inNamespace(other.namespace).list().getItems()).isEmpty();
            assertThat(client.services().inNamespace(other.namespace).list().getItems()).isEmpty();
            assertThat(other.deployment("podinfo-primary")).isNull();
        });
        assertThat(other.rollout().getStatus().getPhase()).isEqualTo(Phase.Initializing);

        // The tenant drops what is not theirs: the Rollout goes on and its own name is routed.
        client.resources(Rollout.class).inNamespace(other.namespace).withName("podinfo").edit(r -> {
            r.getSpec().getService().setHosts(List.of("podinfo.%s.svc.cluster.local".formatted(other.namespace)));
            r.getSpec().getService().setGateways(null);
            return r;
        });
        other.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(awaitRouting(other, RoutingCondition.ALLOWED).getStatus()).isEqualTo(Conditions.TRUE);
        assertThat(other.virtualService().getSpec().getHosts()).containsExactly("podinfo.%s.svc.cluster.local"
                .formatted(other.namespace));
    }

    @Test
    void whatTheOperatorAllowsIsRoutedThroughTheGatewayAndExportedOnlyWhereNeeded() {
        allowed.createTarget("podinfo:1.0");
        allowed.createRollout(r -> {
            r.getSpec().getService().setHosts(List.of("podinfo", "login.example.com"));
            r.getSpec().getService().setGateways(List.of("mesh", "istio-system/public"));
        });

        allowed.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        VirtualService vs = await().atMost(Duration.ofSeconds(10)).until(allowed::virtualService, v -> v != null);
        assertThat(vs.getSpec().getHosts()).containsExactly("podinfo", "login.example.com");
        assertThat(vs.getSpec().getGateways()).containsExactly("mesh", "istio-system/public");
        assertThat(vs.getSpec().getExportTo()).containsExactly(".", "istio-system");
        assertThat(client.resources(DestinationRule.class).inNamespace(allowed.namespace).list().getItems())
                .extracting(dr -> dr.getSpec().getExportTo()).containsOnly(List.of("."));
        assertThat(routing(allowed)).isEmpty();
    }

    @Test
    void aRoutedRolloutThatAsksForMoreKeepsItsLastRoute() {
        edited.createTarget("podinfo:1.0");
        edited.createRollout(r -> { });
        edited.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        VirtualService before = await().atMost(Duration.ofSeconds(10)).until(edited::virtualService, v -> v != null);

        client.resources(Rollout.class).inNamespace(edited.namespace).withName("podinfo").edit(r -> {
            r.getSpec().getService().setHosts(List.of("podinfo", "shop.example.com"));
            return r;
        });

        assertThat(awaitRouting(edited, RoutingCondition.REFUSED).getMessage())
                .contains("spec.service.hosts[1]: shop.example.com is not a name of this Rollout's Services")
                .contains("in namespace " + edited.namespace + ": login.example.com (ramp.routing.allowed-hosts)");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            VirtualService now = edited.virtualService();
            assertThat(now.getSpec().getHosts()).containsExactly("podinfo");
            assertThat(now.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        });
    }

    private static Optional<Condition> routing(CanaryFixture fx) {
        Rollout rollout = fx.rollout();
        return rollout == null || rollout.getStatus() == null ? Optional.empty()
                : Conditions.find(rollout.getStatus().getConditions(), RoutingCondition.TYPE);
    }

    private static Condition awaitRouting(CanaryFixture fx, String reason) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> routing(fx), c -> c.filter(x -> reason.equals(x.getReason())).isPresent()).orElseThrow();
    }
}
