package dev.ramp.cli;

import static dev.ramp.cli.testing.FakeOperator.condition;
import static dev.ramp.cli.testing.FakeOperator.progressing;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingCondition;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceProtocol;
import dev.ramp.api.Strategy;
import dev.ramp.cli.testing.FakeOperator;
import dev.ramp.cli.testing.RampCli;
import dev.ramp.cli.testing.RampCli.Result;
import dev.ramp.cli.testing.World;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ramp status} of a Rollout routed by the Gateway API: the HTTPRoute's or GRPCRoute's weights and parents. */
class GatewayApiStatusCommandTest {

    private static final String PUBLIC = "gateways/public";
    private static final String INTERNAL = "gateways/internal";

    private final TestCluster cluster = TestCluster.get();
    private String namespace;
    private FakeOperator operator;
    private World world;
    private RampCli ramp;

    @BeforeAll
    static void gatewayApiInstalled() {
        TestCluster.get().installGatewayApi();
    }

    @BeforeEach
    void gatewayApiRollout() {
        namespace = cluster.newNamespace("gwstatus");
        operator = new FakeOperator(cluster.client(), namespace);
        world = new World(cluster.client(), namespace);
        ramp = new RampCli(cluster.kubeconfigFile(), namespace);
        world.target("podinfo", "ghcr.io/stefanprodan/podinfo:6.7.1", "9be1d2a4c0ffee00112233445566778899aabbcc");
        operator.create("podinfo", "podinfo", Strategy.Canary);
        gatewayApi(ServiceProtocol.HTTP);
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    @Test
    void showsTheHttpRoutesWeightsAndEachGatewaysAnswer() {
        world.httpRoute("podinfo", 80, 20, List.of(PUBLIC, INTERNAL), Map.of(INTERNAL, "NotAllowedByListeners"));
        operator.status("podinfo", progressing(1, 99.5).andThen(s -> conditions(s, condition(RoutingCondition.ACCEPTED_TYPE,
                "False", RoutingCondition.NOT_ACCEPTED, "Gateway gateways/internal does not accept the route"))));

        Result result = ramp.run("status", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains(
                "Routing:        HTTPRoute podinfo: primary 80, canary 20 (RouteAccepted False: RouteNotAccepted)\n",
                "  Parents:\n");
        assertThat(result.out()).containsPattern(
                "(?m)^    gateways/public +example.com/gateway-controller +Accepted +True +Accepted +Route is accepted$");
        assertThat(result.out()).containsPattern("(?m)^    gateways/internal +example.com/gateway-controller +Accepted +False"
                + " +NotAllowedByListeners +no listener admits the route$");
        assertThat(result.out()).doesNotContain("VirtualService");
    }

    @Test
    void printsTheRouteAndItsParentsAsJson() throws Exception {
        world.httpRoute("podinfo", 100, 0, List.of(PUBLIC), Map.of());
        operator.status("podinfo", progressing(0, 99.5).andThen(s -> conditions(s, condition(RoutingCondition.ACCEPTED_TYPE,
                "True", RoutingCondition.ACCEPTED, "accepted by Gateway gateways/public"))));

        Result result = ramp.run("status", "podinfo", "-o", "json");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        JsonNode routing = Serialization.jsonMapper().readTree(result.out()).path("routing");
        assertThat(routing.path("kind").asText()).isEqualTo("HTTPRoute");
        assertThat(routing.path("name").asText()).isEqualTo("podinfo");
        assertThat(routing.path("primary").asInt()).isEqualTo(100);
        assertThat(routing.path("canary").asInt()).isEqualTo(0);
        assertThat(routing.path("accepted").asText()).isEqualTo("True");
        assertThat(routing.path("acceptedReason").asText()).isEqualTo(RoutingCondition.ACCEPTED);
        assertThat(routing.path("parents")).hasSize(1);
        assertThat(routing.path("parents").get(0).path("gateway").asText()).isEqualTo(PUBLIC);
        assertThat(routing.path("parents").get(0).path("status").asText()).isEqualTo("True");
    }

    @Test
    void aGrpcServiceIsReadFromItsGrpcRouteBeforeAnyGatewayReports() {
        gatewayApi(ServiceProtocol.GRPC);
        world.grpcRoute("podinfo", 90, 10, List.of(PUBLIC));

        Result result = ramp.run("status", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).contains("Routing:        GRPCRoute podinfo: primary 90, canary 10\n",
                "  Parents:      <none reported>\n");
    }

    @Test
    void noRouteYetLeavesRoutingOut() {
        Result result = ramp.run("status", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(0);
        assertThat(result.out()).doesNotContain("Routing:");
    }

    private void gatewayApi(ServiceProtocol protocol) {
        cluster.client().resources(Rollout.class).inNamespace(namespace).withName("podinfo").edit(r -> {
            r.getSpec().getService().setProvider(RoutingProvider.GatewayAPI);
            r.getSpec().getService().setProtocol(protocol);
            r.getSpec().getService().setParentRefs(List.of(new ParentRef("public", "gateways"), new ParentRef("internal", "gateways")));
            return r;
        });
    }

    private static void conditions(dev.ramp.api.RolloutStatus status, io.fabric8.kubernetes.api.model.Condition condition) {
        List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>(status.getConditions());
        conditions.add(condition);
        status.setConditions(conditions);
    }
}
