package dev.ramp.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a Gateway API route's status.parents says of it, per Gateway of spec.service.parentRefs. */
class RouteParentsTest {

    private final Rollout rollout = rollout(new ParentRef("public", null), new ParentRef("shared", "gateway-system"));
    private final List<RouteParentStatus> parents = new ArrayList<>();

    private static Rollout rollout(ParentRef... refs) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("team-a").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("web"));
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        service.setProvider(RoutingProvider.GatewayAPI);
        service.setParentRefs(List.of(refs));
        spec.setService(service);
        rollout.setSpec(spec);
        return rollout;
    }

    /** A controller's report for the Gateway {@code namespace/name} (namespace null: the route's). */
    private void report(String namespace, String name, String accepted, String resolved, long generation) {
        RouteParentStatus status = new RouteParentStatus();
        status.setControllerName("example.com/gw");
        status.setParentRef(new ParentReferenceBuilder().withGroup("gateway.networking.k8s.io").withKind("Gateway")
                .withNamespace(namespace).withName(name).build());
        status.setConditions(List.of(
                new ConditionBuilder().withType("Accepted").withStatus(accepted).withReason(accepted.equals("True") ? "Accepted"
                        : "NotAllowedByListeners").withMessage("m").withObservedGeneration(generation).build(),
                new ConditionBuilder().withType("ResolvedRefs").withStatus(resolved).withReason(resolved.equals("True")
                        ? "ResolvedRefs" : "BackendNotFound").withMessage("service \"web-canary\" not found")
                        .withObservedGeneration(generation).build()));
        parents.add(status);
    }

    private RouteAcceptance acceptance() {
        HTTPRoute route = new HTTPRoute();
        route.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("team-a").withGeneration(3L).build());
        route.setStatus(new HTTPRouteStatus(parents));
        return RouteParents.acceptance(rollout, route);
    }

    @Test
    void acceptedWhenEveryGatewayAcceptsIt() {
        report("team-a", "public", "True", "True", 3);
        report("gateway-system", "shared", "True", "True", 2);

        RouteAcceptance acceptance = acceptance();

        assertThat(acceptance.isAccepted()).isTrue();
        assertThat(acceptance.message()).isEqualTo("accepted by Gateway team-a/public (example.com/gw),"
                + " Gateway gateway-system/shared (example.com/gw)");
    }

    @Test
    void aGatewayNotReportingYetLeavesItPending() {
        report(null, "public", "True", "True", 3);

        RouteAcceptance acceptance = acceptance();

        assertThat(acceptance.state()).isEqualTo(RouteAcceptance.State.PENDING);
        assertThat(acceptance.message()).startsWith("Gateway gateway-system/shared has not reported on the route");
    }

    @Test
    void aRefusalNamesTheGatewayTheControllerAndItsReason() {
        report("team-a", "public", "True", "True", 3);
        report("gateway-system", "shared", "False", "True", 3);

        assertThat(acceptance()).isEqualTo(RouteAcceptance.refused("Gateway gateway-system/shared does not accept the route:"
                + " its controller example.com/gw says Accepted False, reason NotAllowedByListeners: m"));
    }

    @Test
    void aRefusalWithoutAMessageEndsWithItsReason() {
        report("team-a", "public", "True", "True", 3);
        report("gateway-system", "shared", "False", "True", 3);
        // As Traefik 3.7 writes NoMatchingParent, for a parentRef naming no listener of the Gateway.
        parents.get(1).getConditions().get(0).setReason("NoMatchingParent");
        parents.get(1).getConditions().get(0).setMessage("");

        assertThat(acceptance().message()).isEqualTo("Gateway gateway-system/shared does not accept the route:"
                + " its controller example.com/gw says Accepted False, reason NoMatchingParent");
    }

    @Test
    void unresolvedBackendsHoldToo() {
        report("team-a", "public", "True", "False", 3);
        report("gateway-system", "shared", "True", "True", 3);

        assertThat(acceptance().message()).isEqualTo("Gateway team-a/public does not resolve the route's backends: its"
                + " controller example.com/gw says ResolvedRefs False, reason BackendNotFound: service \"web-canary\" not found");
    }

    @Test
    void aRefusalOfAnOlderGenerationIsPendingUntilTheControllerLooksAgain() {
        report("team-a", "public", "False", "True", 2);
        report("gateway-system", "shared", "True", "True", 3);

        assertThat(acceptance().state()).isEqualTo(RouteAcceptance.State.PENDING);
    }

    @Test
    void noRouteYetIsPending() {
        assertThat(RouteParents.acceptance(rollout, null)).isEqualTo(RouteAcceptance.pending("the route is not written yet"));
    }
}
