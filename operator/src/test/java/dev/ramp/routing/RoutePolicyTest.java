package dev.ramp.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a Rollout of team-a may route: its own Service names, and what the operator's allow-lists add. */
class RoutePolicyTest {

    private static final RoutePolicy OWN = RoutePolicy.OWN_NAMES;

    /** A Rollout web of team-a on target web-app, its Service named web, routing these hosts and gateways. */
    private static Rollout rollout(List<String> hosts, List<String> gateways) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("team-a").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("web-app"));
        ServiceSpec service = new ServiceSpec();
        service.setName("web");
        service.setPort(80);
        service.setHosts(hosts);
        service.setGateways(gateways);
        spec.setService(service);
        rollout.setSpec(spec);
        return rollout;
    }

    private static List<String> hosts(RoutePolicy policy, String... hosts) {
        return policy.refusals(rollout(List.of(hosts), null));
    }

    private static List<String> gateways(RoutePolicy policy, String... gateways) {
        return policy.refusals(rollout(null, List.of(gateways)));
    }

    @Test
    void theDefaultsAreTheRolloutsOwn() {
        assertThat(OWN.refusals(rollout(null, null))).isEmpty();
        assertThat(OWN.refusals(rollout(List.of(), List.of()))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "web.team-a", "web.team-a.svc", "web.team-a.svc.cluster.local", "WEB.Team-A.svc.cluster.local.",
            "web-primary", "web-canary.team-a.svc", "web-app.team-a.svc.cluster.local"})
    void everyFormOfTheRolloutsOwnServiceNamesIsAllowed(String host) {
        assertThat(hosts(OWN, host)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web.team-b", "web.team-b.svc", "web.team-b.svc.cluster.local", "login.team-a.svc.cluster.local",
            "web.team-a.svc.other.local", "web.team-a.example.com", "*", "*.team-a.svc.cluster.local", "10.0.0.1"})
    void anyOtherHostIsRefused(String host) {
        assertThat(hosts(OWN, host)).singleElement().asString()
                .startsWith("spec.service.hosts[0]: " + host + " is not a name of this Rollout's Services (web, web-primary,"
                        + " web-canary, web-app as <name>, <name>.team-a, <name>.team-a.svc or <name>.team-a.svc.cluster.local)")
                .endsWith("other hosts the operator allows in namespace team-a: none (ramp.routing.allowed-hosts)");
    }

    @Test
    void eachRefusedHostIsNamedByItsIndex() {
        assertThat(hosts(OWN, "web", "web.team-b.svc.cluster.local", "login.example.com"))
                .extracting(r -> r.substring(0, r.indexOf(" is not")))
                .containsExactly("spec.service.hosts[1]: web.team-b.svc.cluster.local", "spec.service.hosts[2]: login.example.com");
    }

    @Test
    void aWildcardPatternAllowsNamesBelowItsDomainOnly() {
        RoutePolicy policy = RoutePolicy.of(List.of("*.example.com"), List.of());

        assertThat(hosts(policy, "login.example.com", "a.b.example.com", "*.shop.example.com", "*.example.com")).isEmpty();
        assertThat(hosts(policy, "example.com")).singleElement().asString().contains("example.com is not a name")
                .endsWith("other hosts the operator allows in namespace team-a: *.example.com (ramp.routing.allowed-hosts)");
        assertThat(hosts(policy, "evilexample.com", "login.example.com.evil.io", "*")).hasSize(3);
    }

    @Test
    void anExactPatternAllowsThatHostAloneAndStarAllowsAny() {
        assertThat(hosts(RoutePolicy.of(List.of("login.example.com"), List.of()), "login.example.com")).isEmpty();
        assertThat(hosts(RoutePolicy.of(List.of("login.example.com"), List.of()), "www.login.example.com")).hasSize(1);
        assertThat(hosts(RoutePolicy.of(List.of("*"), List.of()), "web.team-b.svc.cluster.local", "*")).isEmpty();
    }

    @Test
    void aPatternForOneNamespaceAllowsNothingElsewhere() {
        RoutePolicy policy = RoutePolicy.of(List.of("team-a=*.team-a.example.com", "team-b=*.team-b.example.com"), List.of());

        assertThat(hosts(policy, "shop.team-a.example.com")).isEmpty();
        assertThat(hosts(policy, "shop.team-b.example.com")).singleElement().asString()
                .endsWith("other hosts the operator allows in namespace team-a: *.team-a.example.com (ramp.routing.allowed-hosts)");
    }

    @Test
    void meshAndTheRolloutsOwnGatewaysAreAllowed() {
        assertThat(gateways(OWN, "mesh", "public", "team-a/public", "team-a/internal")).isEmpty();
    }

    @Test
    void aGatewayOfAnotherNamespaceIsRefusedUnlessAllowed() {
        assertThat(gateways(OWN, "mesh", "istio-system/public")).containsExactly("spec.service.gateways[1]: istio-system/public"
                + " is a gateway of namespace istio-system, not team-a; besides mesh and the gateways of team-a, the operator"
                + " allows in namespace team-a: none (ramp.routing.allowed-gateways)");

        RoutePolicy one = RoutePolicy.of(List.of(), List.of("istio-system/public"));
        assertThat(gateways(one, "istio-system/public")).isEmpty();
        assertThat(gateways(one, "istio-system/admin")).singleElement().asString()
                .endsWith("allows in namespace team-a: istio-system/public (ramp.routing.allowed-gateways)");

        RoutePolicy all = RoutePolicy.of(List.of(), List.of("team-a=istio-system/*"));
        assertThat(gateways(all, "istio-system/public", "istio-system/admin")).isEmpty();
        assertThat(gateways(all, "istio-systemx/public", "team-b/public")).hasSize(2);
        assertThat(all.refusals("team-b", List.of("web"), null, List.of("istio-system/public"))).hasSize(1);
    }

    @Test
    void hostsAndGatewaysAreRefusedTogether() {
        assertThat(OWN.refusals(rollout(List.of("web.team-b.svc.cluster.local", "login.example.com"), List.of("istio-system/public"))))
                .extracting(r -> r.substring(0, r.indexOf(':')))
                .containsExactly("spec.service.hosts[0]", "spec.service.hosts[1]", "spec.service.gateways[0]");
    }

    @Test
    void aHugeHostIsEchoedCut() {
        String huge = "a".repeat(10_000) + ".example.com";
        assertThat(hosts(OWN, huge)).singleElement().asString().hasSizeLessThan(1000).contains("a…");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*.*.example.com", "exa mple.com", "team-a=", "=x.example.com", "Team_A=x.example.com", "http://x.com"})
    void aMalformedHostEntryStopsTheOperatorNamingIt(String entry) {
        assertThatThrownBy(() -> RoutePolicy.of(List.of(entry), List.of()))
                .hasMessageStartingWith("ramp.routing.allowed-hosts: entry '" + entry.trim() + "' is not");
    }

    @ParameterizedTest
    @ValueSource(strings = {"public", "istio-system", "istio-system/", "*/public", "istio-system/pub*"})
    void aMalformedGatewayEntryStopsTheOperatorNamingIt(String entry) {
        assertThatThrownBy(() -> RoutePolicy.of(List.of(), List.of(entry)))
                .hasMessageStartingWith("ramp.routing.allowed-gateways: entry '" + entry + "' is not <namespace>/<gateway>");
    }

    /** The Rollout web of team-a routed by the Gateway API through {@code parentRefs}, with {@code hosts}. */
    private static Rollout gatewayApi(List<String> hosts, ParentRef... parentRefs) {
        Rollout rollout = rollout(hosts, null);
        rollout.getSpec().getService().setProvider(RoutingProvider.GatewayAPI);
        rollout.getSpec().getService().setParentRefs(parentRefs.length == 0 ? null : List.of(parentRefs));
        return rollout;
    }

    @Test
    void aGatewayApiRouteAttachesToGatewaysOfItsNamespaceAndToAllowedOnesOnly() {
        assertThat(OWN.refusals(gatewayApi(null, new ParentRef("public", null), new ParentRef("internal", "team-a")))).isEmpty();
        assertThat(OWN.refusals(gatewayApi(null, new ParentRef("public", null), new ParentRef("public", "gateway-system"))))
                .singleElement().asString().startsWith("spec.service.parentRefs[1]: Gateway gateway-system/public is of namespace"
                        + " gateway-system, not team-a;")
                .endsWith("the operator allows in namespace team-a: none (ramp.routing.allowed-gateways)");
        RoutePolicy allowed = RoutePolicy.of(List.of(), List.of("team-a=gateway-system/public", "shared/*"));
        assertThat(allowed.refusals(gatewayApi(null, new ParentRef("public", "gateway-system"), new ParentRef("any", "shared"))))
                .isEmpty();
        assertThat(allowed.refusals(gatewayApi(null, new ParentRef("private", "gateway-system")))).hasSize(1);
    }

    @Test
    void eachProvidersFieldsBelongToIt() {
        assertThat(OWN.refusals(gatewayApi(null))).containsExactly(
                "spec.service.parentRefs: required with provider GatewayAPI: the Gateways the route attaches to");
        Rollout withGateways = gatewayApi(null, new ParentRef("public", null));
        withGateways.getSpec().getService().setGateways(List.of("mesh"));
        assertThat(OWN.refusals(withGateways)).singleElement().asString().startsWith("spec.service.gateways: Istio's gateways,"
                + " not used with provider GatewayAPI");
        Rollout istio = rollout(null, null);
        istio.getSpec().getService().setParentRefs(List.of(new ParentRef("public", null)));
        assertThat(OWN.refusals(istio)).singleElement().asString().startsWith("spec.service.parentRefs: Gateway API only");
    }

    @Test
    void aGatewayApiRoutesHostnamesAreTheRolloutsOwnOrAllowedAndOnesARouteAccepts() {
        ParentRef gateway = new ParentRef("public", null);
        assertThat(OWN.refusals(gatewayApi(List.of("web.team-a.svc.cluster.local"), gateway))).isEmpty();
        assertThat(OWN.refusals(gatewayApi(List.of("login.example.com"), gateway))).singleElement().asString()
                .startsWith("spec.service.hosts[0]: login.example.com is not a name of this Rollout's Services");
        RoutePolicy any = RoutePolicy.of(List.of("*"), List.of());
        assertThat(any.refusals(gatewayApi(List.of("login.example.com", "*.example.com"), gateway))).isEmpty();
        assertThat(any.refusals(gatewayApi(List.of("*"), gateway))).singleElement().asString()
                .startsWith("spec.service.hosts[0]: * is not a hostname an HTTPRoute or GRPCRoute accepts");
    }
}
