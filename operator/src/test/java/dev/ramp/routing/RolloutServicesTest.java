package dev.ramp.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.Strategy;
import dev.ramp.api.TargetRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the Service users call selects: the primary behind a router; without a mesh, whatever the split asks. */
class RolloutServicesTest {

    private static final Map<String, String> TARGET = Map.of("app", "podinfo");
    private static final Map<String, String> PRIMARY = Map.of("app", "podinfo-primary");
    private static final Map<String, String> BOTH = Map.of("ramp.dev/service", "web");

    private static Rollout rollout(RoutingProvider provider, Strategy strategy) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("shop").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("podinfo"));
        spec.setStrategy(strategy);
        ServiceSpec service = new ServiceSpec();
        service.setName("web");
        service.setPort(80);
        service.setProvider(provider);
        spec.setService(service);
        rollout.setSpec(spec);
        return rollout;
    }

    @Test
    void behindARouterTheServiceSelectsThePrimaryWhateverTheWeights() {
        assertThat(RolloutServices.apexSelector(rollout(RoutingProvider.Istio, Strategy.Canary), TARGET,
                Routing.of(Weights.canary(50)))).isEqualTo(PRIMARY);
        assertThat(RolloutServices.apexSelector(rollout(RoutingProvider.GatewayAPI, Strategy.BlueGreen), TARGET,
                Routing.of(Weights.canary(100)))).isEqualTo(PRIMARY);
    }

    @Test
    void withoutAMeshACanaryStepSelectsThePodsOfBothAndNoShareThePrimarysAlone() {
        Rollout rollout = rollout(RoutingProvider.None, Strategy.Canary);
        assertThat(RolloutServices.apexSelector(rollout, TARGET, Routing.ALL_PRIMARY)).isEqualTo(PRIMARY);
        assertThat(RolloutServices.apexSelector(rollout, TARGET, Routing.of(Weights.canary(10)))).isEqualTo(BOTH);
        // A canary step of 100% keeps the primary's pods in: the primary is never left out of a canary.
        assertThat(RolloutServices.apexSelector(rollout, TARGET, Routing.of(Weights.canary(100)))).isEqualTo(BOTH);
    }

    @Test
    void withoutAMeshABlueGreenReleaseSwitchesTheServiceToTheCanaryAtOnce() {
        Rollout rollout = rollout(RoutingProvider.None, Strategy.BlueGreen);
        assertThat(RolloutServices.apexSelector(rollout, TARGET, Routing.dark(false))).isEqualTo(PRIMARY);
        assertThat(RolloutServices.apexSelector(rollout, TARGET, Routing.of(Weights.canary(100)))).isEqualTo(TARGET);
    }
}
