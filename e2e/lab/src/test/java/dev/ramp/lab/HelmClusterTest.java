package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ramp installed as users install it, on the cluster lab ({@link Lab.Mode#CLUSTER}): its image,
 * built by the Maven build, imported into the node's containerd, and {@code helm install ramp
 * charts/ramp} with two replicas electing a leader ({@link HelmOperator}). The operator runs as
 * Pods under the chart's ServiceAccount and RBAC; releases pushed to the lab's Git reach it
 * through the chart's webhook Service. Runs in the pom's {@code cluster} execution (netns.sh);
 * elsewhere, or without the image, it is skipped saying why.
 */
@Tag("cluster")
class HelmClusterTest {

    /** Fast analysis, as in LabReleaseTest: 2s per step, 20% then 50%, a minimum sample of 10. */
    private static final Manifests.Analysis FAST = new Manifests.Analysis("2s", 2, List.of(20, 50), "5s", 10);
    /** Long enough steps that the leader can be deleted with the release in progress and steps still to go. */
    private static final Manifests.Analysis STEPS = new Manifests.Analysis("4s", 2, List.of(20, 40, 60), "5s", 10);
    private static final Duration RELEASE = Duration.ofSeconds(180);
    private static final int RATE = 20;

    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        Optional<String> unavailable = LabNamespace.unavailable().or(() -> HelmOperator.imageUnavailable(root));
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "Helm install on the cluster lab skipped: "
                + unavailable.orElse("") + " (needs root, Debian's containerd, runc, containernetworking-plugins,"
                + " iptables, iproute2, podman with the operator's image, and a JVM started by e2e/lab/netns.sh,"
                + " as the pom's cluster execution does)");
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-helm"), Lab.Mode.CLUSTER).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static RolloutView awaitRollout(LabApp app, Predicate<RolloutView> until) {
        return await().atMost(RELEASE).pollInterval(Duration.ofMillis(250)).until(app::rollout, until);
    }

    private static boolean done(RolloutView view) {
        return "Succeeded".equals(view.phase()) || "Failed".equals(view.phase());
    }

    @Test
    void theChartRunsTheBuiltImageAsTwoPodsUnderItsOwnServiceAccount() throws Exception {
        HelmOperator ramp = lab.helmOperator();
        List<Pod> pods = ramp.pods();
        assertThat(pods).hasSize(2).allSatisfy(pod -> {
            assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("ramp");
            assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo(HelmOperator.image(lab.root()));
            assertThat(pod.getSpec().getContainers().get(0).getEnv()).noneMatch(e -> e.getName().equals("KUBECONFIG"));
            assertThat(pod.getStatus().getContainerStatuses().get(0).getContainerID()).startsWith("containerd://");
        });
        assertThat(pods).extracting(p -> p.getMetadata().getName()).contains(ramp.leader().orElseThrow());
        // Helm's own record of the release, as `helm list` shows it.
        assertThat(lab.client().secrets().inNamespace(HelmOperator.NAMESPACE).withLabel("owner", "helm").list().getItems())
                .extracting(s -> s.getMetadata().getLabels().get("status")).containsExactly("deployed");
    }

    @Test
    void aGoodReleaseIsPromotedByTheHelmInstalledOperator() throws Exception {
        try (LabApp app = lab.app("good", FAST).bootstrap("1.0.0", RATE)) {
            LabApp.Release release = app.release("2.0.0", 0);
            await().atMost(RELEASE).until(() -> app.load().count(release.pushed(), r -> "2.0.0".equals(r.version())) > 0);
            RolloutView end = awaitRollout(app, HelmClusterTest::done);
            Lab.log("release 2.0.0 promoted %.1fs after the push".formatted(
                    Duration.between(release.pushed(), Instant.now()).toMillis() / 1e3));

            assertThat(end.phase()).isEqualTo("Succeeded");
            assertThat(end.conditionTrue("Promoted")).isTrue();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.virtualServiceCanaryWeight()).isZero();
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }

    @Test
    void theLeaderPodDeletedMidReleaseAndTheReleaseCompletesUnderTheNewLeader() throws Exception {
        HelmOperator ramp = lab.helmOperator();
        try (LabApp app = lab.app("failover", STEPS).progressDeadlineSeconds(300).bootstrap("1.0.0", RATE)) {
            LabApp.Release release = app.release("2.0.0", 0);
            awaitRollout(app, v -> "Progressing".equals(v.phase()) && v.canaryWeight() == 20);
            await().atMost(RELEASE).until(() -> app.virtualServiceCanaryWeight() == 20);

            HelmOperator.Failover failover = ramp.deleteLeader();
            String leader = failover.deleted();
            String next = failover.next();
            // Until the Lease expires nobody reconciles, and the release holds its step.
            assertThat(failover.leaseTakenOver()).isLessThan(Duration.ofSeconds(60));

            RolloutView end = awaitRollout(app, HelmClusterTest::done);
            assertThat(end.phase()).isEqualTo("Succeeded");
            assertThat(end.conditionTrue("Promoted")).isTrue();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.virtualServiceCanaryWeight()).isZero();
            assertThat(next).isNotEqualTo(leader);
            // The old leader is gone; the release continued, not restarted, and nobody got an error.
            assertThat(ramp.pods()).extracting(p -> p.getMetadata().getName()).doesNotContain(leader);
            assertThat(lab.client().v1().events().inNamespace("failover").list().getItems())
                    .filteredOn(e -> "ReleaseStarted".equals(e.getReason())).hasSize(1);
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }

    @Test
    void aBadReleaseIsRolledBackAndRevertedInGitByTheHelmInstalledOperator() throws Exception {
        HelmOperator ramp = lab.helmOperator();
        try (LabApp app = lab.app("bad", FAST).bootstrap("1.0.0", RATE)) {
            // ramp.dev/demo:2.0.0 with ERROR_RATE 0.3: 30% of the canary's requests answer 500.
            LabApp.Release release = app.release("2.0.0", 0.3);
            RolloutView failed = awaitRollout(app, v -> "Failed".equals(v.phase()) && v.conditionTrue("GitReverted"));
            Instant rolledBack = Instant.now();
            List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                    .filter(r -> !r.sent().isAfter(rolledBack)).toList();
            long failedRequests = during.stream().filter(LoadGenerator.Result::failed).count();
            Lab.log("release 2.0.0 rolled back and reverted %.1fs after the push: %d of %d user requests failed (%s)"
                    .formatted(Duration.between(release.pushed(), rolledBack).toMillis() / 1e3, failedRequests,
                            during.size(), failed.metricValues()));

            // What `kubectl get rollout` shows: Failed, judged bad by a metric, reverted in Git.
            assertThat(failed.rollbackReason()).isEqualTo("AnalysisFailed");
            // The first metric out of range names the cause; both error measures judge the 500s.
            String metric = failed.rollbackMetric();
            assertThat(metric).isIn("request-success-rate", "error-percent");
            assertThat(failed.metricValues()).containsPattern(metric + "=[0-9.]+\\(Failed\\)");
            assertThat(failed.revertCommit()).isNotBlank();

            // Git: the head of main is Ramp's revert of the bad commit, pushed from an operator Pod.
            assertThat(app.headMessage()).startsWith(failed.revertCommit())
                    .contains("Revert podinfo: Rollout bad/podinfo failed")
                    .contains("AnalysisFailed: " + metric + " was")
                    .contains(release.commit().substring(0, 12));
            assertThat(app.gitLog().lines().toList()).hasSize(3).first().asString().contains("Ramp: Revert podinfo");
            assertThat(app.fileAtHead("deployment.yaml")).isEqualTo(Manifests.deployment("1.0.0", 0, 20));
            List<String> podIps = ramp.pods().stream().map(p -> p.getStatus().getPodIP()).toList();
            List<String> pushers = app.pushedFrom();
            Lab.log("pushes to bad.git came from %s; operator Pods at %s".formatted(pushers, podIps));
            // The developer's two pushes came from the node; the last, the revert, from a Pod's IP.
            assertThat(pushers).hasSizeGreaterThanOrEqualTo(3);
            assertThat(pushers.get(0)).isEqualTo(pushers.get(1)).isNotIn(podIps);
            assertThat(pushers.get(pushers.size() - 1)).isIn(podIps);

            // The cluster: all traffic back on the primary, which still runs the previous image.
            assertThat(app.virtualServiceCanaryWeight()).isZero();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:1.0.0");
            await().atMost(RELEASE).until(() -> "ramp.dev/demo:1.0.0".equals(app.image("podinfo")));
            await().atMost(RELEASE).until(() -> app.replicas("podinfo") == 0);
            assertThat(app.rollout().phase()).isEqualTo("Failed");

            // Users: the analysis judged real failures, every one of them answered by the canary,
            // and bounded: well under the canary's share (20%) of the 30% it fails.
            assertThat(during).filteredOn(LoadGenerator.Result::failed).isNotEmpty()
                    .extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            assertThat(failedRequests).isLessThanOrEqualTo(during.size() / 10);
        }
    }
}
