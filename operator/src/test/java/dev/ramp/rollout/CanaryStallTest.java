package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.RampLabels;
import dev.ramp.api.StatefulSetLabels;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Why a canary is not ready, from its Pods and Deployment as a cache holds them, and whether that reverts Git. */
class CanaryStallTest {

    private static final String REVISION = "8f461f56b2edd3ff";

    private final Deployment target = new DeploymentBuilder()
            .withNewMetadata().withName("podinfo").withNamespace("shop").endMetadata()
            .withNewSpec().withNewSelector().addToMatchLabels("app", "podinfo").endSelector().endSpec()
            .build();

    @Test
    void aCrashingContainerIsTheCommitsFaultAndReverts() {
        CanaryStall stall = CanaryStall.of(target, REVISION, List.of(pod("podinfo-a", REVISION,
                waiting("CrashLoopBackOff", "back-off 40s restarting failed container"))));

        assertThat(stall.reason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(stall.detail()).isEqualTo("pod podinfo-a: app CrashLoopBackOff: back-off 40s restarting failed container");
        assertThat(stall.revertsGit()).isTrue();
    }

    @Test
    void aRunningContainerThatNeverPassesItsReadinessProbeReverts() {
        ContainerStatus running = new ContainerStatusBuilder().withName("app").withReady(false)
                .withNewState().withNewRunning().endRunning().endState().build();

        CanaryStall stall = CanaryStall.of(target, REVISION, List.of(pod("podinfo-a", REVISION, running)));

        assertThat(stall.reason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(stall.detail()).contains("readiness probe");
        assertThat(stall.revertsGit()).isTrue();
    }

    @Test
    void unschedulablePodsAreTheClustersAndDoNotRevert() {
        Pod pending = new PodBuilder(pod("podinfo-a", REVISION)).editStatus().addNewCondition().withType("PodScheduled")
                .withStatus("False").withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient cpu.")
                .endCondition().endStatus().build();

        CanaryStall stall = CanaryStall.of(target, REVISION, List.of(pending));

        assertThat(stall.reason()).isEqualTo("CanaryNotScheduled");
        assertThat(stall.detail()).isEqualTo("pod podinfo-a unschedulable: 0/3 nodes are available: 3 Insufficient cpu.");
        assertThat(stall.revertsGit()).isFalse();
    }

    @Test
    void anImageTheRegistryDoesNotServeDoesNotRevert() {
        CanaryStall stall = CanaryStall.of(target, REVISION, List.of(pod("podinfo-a", REVISION,
                waiting("ImagePullBackOff", "Back-off pulling image \"registry.example/podinfo:2.0\""))));

        assertThat(stall.reason()).isEqualTo("ImageNotPulled");
        assertThat(stall.detail()).startsWith("pod podinfo-a: image podinfo:2.0 not pulled (ImagePullBackOff)");
        assertThat(stall.revertsGit()).isFalse();
    }

    @Test
    void aQuotaThatRefusesThePodsDoesNotRevert() {
        Deployment refused = new DeploymentBuilder(target).withNewStatus().addNewCondition().withType("ReplicaFailure")
                .withStatus("True").withReason("FailedCreate")
                .withMessage("pods \"podinfo-5c9\" is forbidden: exceeded quota: compute, requested: cpu=500m").endCondition()
                .endStatus().build();

        CanaryStall stall = CanaryStall.of(refused, REVISION, List.of());

        assertThat(stall.reason()).isEqualTo("CanaryNotScheduled");
        assertThat(stall.detail()).contains("cannot create its pods (FailedCreate): pods \"podinfo-5c9\" is forbidden: exceeded quota");
        assertThat(stall.revertsGit()).isFalse();
    }

    @Test
    void oneCrashingPodBesideAnUnschedulableOneReverts() {
        Pod pending = new PodBuilder(pod("podinfo-a", REVISION)).editStatus().addNewCondition().withType("PodScheduled")
                .withStatus("False").withReason("Unschedulable").endCondition().endStatus().build();
        Pod crashing = pod("podinfo-b", REVISION, waiting("CrashLoopBackOff", null));

        assertThat(CanaryStall.of(target, REVISION, List.of(pending, crashing)).reason()).isEqualTo("ProgressDeadlineExceeded");
    }

    @Test
    void podsOfAnotherRevisionOrWorkloadDoNotCount() {
        Pod oldRevision = pod("podinfo-old", "0000000000000000", waiting("ImagePullBackOff", null));
        Pod otherApp = new PodBuilder(pod("other", REVISION, waiting("ImagePullBackOff", null)))
                .editMetadata().addToLabels("app", "other").endMetadata().build();

        CanaryStall stall = CanaryStall.of(target, REVISION, List.of(oldRevision, otherApp));

        assertThat(stall.reason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(stall.detail()).isEqualTo("no pod of canary podinfo seen");
    }

    @Test
    void aStatefulSetsStepCountsOnlyItsPodsOfTheRevisionAndOtherwiseSaysWhereThePartitionIs() {
        StatefulSet set = new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata().build();
        Pod otherRevision = statefulSetPod("db-3", "shop", "db-5c8f7d9b4", waiting("CrashLoopBackOff", null));
        Pod otherNamespace = statefulSetPod("db-4", "ledger", "db-7d9b4c8f5", waiting("CrashLoopBackOff", null));
        Pod pulling = statefulSetPod("db-4", "shop", "db-7d9b4c8f5", waiting("ErrImagePull", null));

        CanaryStall nothing = CanaryStall.ofStatefulSet(set, "db-7d9b4c8f5", List.of(otherRevision, otherNamespace), "partition 4");
        CanaryStall image = CanaryStall.ofStatefulSet(set, "db-7d9b4c8f5", List.of(otherRevision, pulling), "partition 4");

        assertThat(nothing).isEqualTo(new CanaryStall("ProgressDeadlineExceeded", "partition 4"));
        assertThat(image.reason()).isEqualTo("ImageNotPulled");
        assertThat(image.detail()).isEqualTo("partition 4; pod db-4: image podinfo:2.0 not pulled (ErrImagePull)");
    }

    @Test
    void aKubeletMessageIsCut() {
        CanaryStall stall = CanaryStall.of(target, REVISION, List.of(pod("podinfo-a", REVISION,
                waiting("ErrImagePull", "x".repeat(100_000)))));

        assertThat(stall.detail()).hasSize(CanaryStall.MAX_DETAIL + 1).endsWith("…");
    }

    private static ContainerStatus waiting(String reason, String message) {
        return new ContainerStatusBuilder().withName("app").withImage("podinfo:2.0").withReady(false)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
    }

    private static Pod statefulSetPod(String name, String namespace, String revision, ContainerStatus container) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(StatefulSetLabels.REVISION, revision).endMetadata()
                .withNewStatus().withContainerStatuses(container).endStatus().build();
    }

    private static Pod pod(String name, String revision, ContainerStatus... containers) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop")
                .addToLabels("app", "podinfo").addToLabels(RampLabels.REVISION, revision).endMetadata()
                .withNewStatus().withContainerStatuses(containers).endStatus().build();
    }
}
