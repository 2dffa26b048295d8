package dev.ramp.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

/** Weights as pods without a mesh: the nearest share, at least one pod, at most the surge, the primary left whole. */
class ReplicaSplitTest {

    @Test
    void theCanaryGetsTheCountWhoseShareIsNearestTheWeight() {
        // 9 primary pods: 10% is 1 pod exactly, 25% is 3 (25.0%), 50% is 9.
        assertThat(ReplicaSplit.of(10, 9, 100).canary()).isEqualTo(1);
        assertThat(ReplicaSplit.of(25, 9, 100).canary()).isEqualTo(3);
        assertThat(ReplicaSplit.of(50, 9, 100).canary()).isEqualTo(9);
        // 10 primary pods at 30%: 4 pods is 28.6%, 5 is 33.3%: 4 is nearer.
        assertThat(ReplicaSplit.of(30, 10, 100)).isEqualTo(new ReplicaSplit(10, 4));
        assertThat(ReplicaSplit.of(30, 10, 100).weight()).isEqualTo(29);
    }

    @Test
    void aNonZeroWeightNeverGetsZeroPodsAndZeroGetsNone() {
        // 5% of 4 primary pods would be 0.2 pods: one pod, a 20% share, which status reports.
        ReplicaSplit split = ReplicaSplit.of(5, 4, 1);
        assertThat(split.canary()).isEqualTo(1);
        assertThat(split.weight()).isEqualTo(20);
        assertThat(ReplicaSplit.of(0, 4, 1).canary()).isZero();
        assertThat(ReplicaSplit.of(0, 4, 1).weight()).isZero();
    }

    @Test
    void theSurgeCapsTheCanaryAndThePrimaryKeepsItsSize() {
        // 50% of 4 would be 4 canary pods; maxSurge allows 1.
        ReplicaSplit split = ReplicaSplit.of(50, 4, 1);
        assertThat(split).isEqualTo(new ReplicaSplit(4, 1));
        assertThat(split.weight()).isEqualTo(20);
        assertThat(ReplicaSplit.of(50, 4, 2).weight()).isEqualTo(33);
    }

    @Test
    void oneHundredPercentAsksAllTheSurgeAllowsNeverThePrimarysPods() {
        assertThat(ReplicaSplit.of(100, 4, 2)).isEqualTo(new ReplicaSplit(4, 2));
        assertThat(ReplicaSplit.of(100, 4, 4).weight()).isEqualTo(50);
        assertThat(ReplicaSplit.of(99, 1, 10).canary()).isEqualTo(10);
    }

    @Test
    void theNearerOfTheTwoCountsAroundTheWeightWins() {
        // 2 primary pods at 40%: 1 pod is 33.3% (6.7 off), 2 pods 50% (10 off); at 42%: 1 pod is 8.7 off, 2 pods 8 off.
        assertThat(ReplicaSplit.of(40, 2, 10).canary()).isEqualTo(1);
        assertThat(ReplicaSplit.of(42, 2, 10).canary()).isEqualTo(2);
    }

    @Test
    void theSurgeIsTheTargetsMaxSurgeOfThePrimaryRoundedUpAsKubernetesRoundsIt() {
        assertThat(ReplicaSplit.maxSurge(target(null, null), 4)).contains(1);
        assertThat(ReplicaSplit.maxSurge(target(null, null), 5)).contains(2);
        assertThat(ReplicaSplit.maxSurge(target("RollingUpdate", new IntOrString("100%")), 3)).contains(3);
        assertThat(ReplicaSplit.maxSurge(target("RollingUpdate", new IntOrString(2)), 10)).contains(2);
        assertThat(ReplicaSplit.maxSurge(target("RollingUpdate", new IntOrString(0)), 10)).isEmpty();
        assertThat(ReplicaSplit.maxSurge(target("RollingUpdate", new IntOrString("0%")), 10)).isEmpty();
        assertThat(ReplicaSplit.maxSurge(target("Recreate", null), 10)).isEmpty();
    }

    static Deployment target(String strategy, IntOrString maxSurge) {
        var builder = new DeploymentBuilder().withNewMetadata().withName("podinfo").endMetadata().withNewSpec();
        if ("Recreate".equals(strategy)) {
            builder = builder.withNewStrategy().withType(strategy).endStrategy();
        } else if (strategy != null) {
            builder = builder.withNewStrategy().withType(strategy).withNewRollingUpdate().withMaxSurge(maxSurge).endRollingUpdate()
                    .endStrategy();
        }
        return builder.endSpec().build();
    }
}
