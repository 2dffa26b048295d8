package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Strategy;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What Ramp asks of the primary's and the canary's sizes, with and without an autoscaler, and without a mesh. */
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

    private static Rollout withoutMesh(List<Integer> steps, Integer step) {
        Rollout rollout = rollout(false);
        rollout.getSpec().getService().setProvider(RoutingProvider.None);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setStepWeights(steps);
        rollout.getSpec().setAnalysis(analysis);
        RolloutStatus status = new RolloutStatus();
        status.setCurrentStep(new StepStatus(step, null));
        rollout.setStatus(status);
        return rollout;
    }

    @Test
    void withoutAMeshTheCanaryIsSizedForItsStepsWeightBesideTheWholePrimary() {
        Optional<Deployment> primary = Optional.of(deployment("podinfo-primary", 9));
        Deployment target = deployment("podinfo", 1);
        target.getSpec().setStrategy(new DeploymentStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString("100%")).endRollingUpdate().build());
        // Before traffic the canary already runs the first step's pods (the Service does not select them yet).
        assertThat(ReplicaCounts.canary(withoutMesh(List.of(10, 25, 50), null), target, primary)).contains(1);
        assertThat(ReplicaCounts.canary(withoutMesh(List.of(10, 25, 50), 1), target, primary)).contains(3);
        assertThat(ReplicaCounts.canary(withoutMesh(List.of(10, 25, 50), 2), target, primary)).contains(9);
        assertThat(ReplicaCounts.achievedWeight(withoutMesh(List.of(10, 25, 50), 0), target, primary, 30)).isEqualTo(31);
        // The primary is never resized for a split.
        assertThat(ReplicaCounts.primary(withoutMesh(List.of(10), 0), target, primary)).contains(9);
    }

    @Test
    void withoutAMeshTheTargetsDefaultSurgeCapsTheCanaryAndStatusSaysTheShareAchieved() {
        Optional<Deployment> primary = Optional.of(deployment("podinfo-primary", 4));
        Rollout rollout = withoutMesh(List.of(5, 50), 1);
        // maxSurge unset: Kubernetes' 25% of 4 primary pods, 1 pod: 50% asked, 20% achieved.
        assertThat(ReplicaCounts.canary(rollout, deployment("podinfo", 1), primary)).contains(1);
        assertThat(ReplicaCounts.achievedWeight(rollout, deployment("podinfo", 1), primary, 50)).isEqualTo(20);
        assertThat(ReplicaCounts.achievedWeight(rollout, deployment("podinfo", 1), primary, 5)).isEqualTo(20);
        // Behind a router the weight is the step's.
        assertThat(ReplicaCounts.achievedWeight(rollout(false), deployment("podinfo", 1), primary, 5)).isEqualTo(5);
    }

    @Test
    void aBlueGreenReleaseWithoutAMeshRunsTheCanaryAtThePrimarysSize() {
        Rollout rollout = withoutMesh(List.of(10), 0);
        rollout.getSpec().getAnalysis().setStepWeights(null);
        rollout.getSpec().setStrategy(Strategy.BlueGreen);
        assertThat(ReplicaCounts.canary(rollout, deployment("podinfo", 0), Optional.of(deployment("podinfo-primary", 4)))).contains(4);
    }
}
