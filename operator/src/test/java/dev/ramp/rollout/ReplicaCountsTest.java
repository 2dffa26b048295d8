package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What Ramp asks of the primary's and the canary's sizes, with and without an autoscaler. */
class ReplicaCountsTest {

    private static Deployment deployment(String name, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("apps").endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec().build();
    }

    private static Rollout rollout(boolean autoscaled) {
        Rollout rollout = TargetNotFoundTest.rollout("apps", "podinfo", "podinfo");
        if (autoscaled) {
            rollout.getSpec().setAutoscalerRef(new AutoscalerRef(AutoscalerRef.HPA_API_VERSION, AutoscalerRef.HPA_KIND, "podinfo"));
        }
        return rollout;
    }

    @Test
    void promotingAnAutoscaledRolloutLeavesThePrimarysReplicasAlone() {
        // The primary's HPA has scaled it to 7; the target's min is 2: nothing may write either.
        assertThat(ReplicaCounts.primary(rollout(true), deployment("podinfo", 3), Optional.of(deployment("podinfo-primary", 7))))
                .isEmpty();
    }

    @Test
    void promotingAFixedSizeRolloutKeepsThePrimarysOwnSize() {
        assertThat(ReplicaCounts.primary(rollout(false), deployment("podinfo", 3), Optional.of(deployment("podinfo-primary", 7))))
                .contains(7);
    }

    @Test
    void aNewPrimaryStartsAtTheTargetsSizeEvenWhenAutoscaled() {
        assertThat(ReplicaCounts.primary(rollout(true), deployment("podinfo", 3), Optional.empty())).contains(3);
        assertThat(ReplicaCounts.primary(rollout(true), deployment("podinfo", 0), Optional.empty())).contains(1);
    }

    @Test
    void anAutoscaledCanaryIsSizedByRampOnlyFromZero() {
        Optional<Deployment> primary = Optional.of(deployment("podinfo-primary", 5));
        assertThat(ReplicaCounts.canary(rollout(true), deployment("podinfo", 0), primary)).contains(5);
        // Running: the target's HPA sizes it now, and Ramp does not set it back each pass.
        assertThat(ReplicaCounts.canary(rollout(true), deployment("podinfo", 2), primary)).isEmpty();
    }

    @Test
    void aFixedSizeCanaryRunsAtThePrimarysSize() {
        Optional<Deployment> primary = Optional.of(deployment("podinfo-primary", 5));
        assertThat(ReplicaCounts.canary(rollout(false), deployment("podinfo", 2), primary)).contains(5);
        assertThat(ReplicaCounts.canary(rollout(false), deployment("podinfo", 0), Optional.empty())).contains(1);
    }
}
