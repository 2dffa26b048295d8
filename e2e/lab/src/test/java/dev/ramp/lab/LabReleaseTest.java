package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end, on the lab: releases committed to Git, synced by Ramp, served to users through the
 * mesh stand-in and judged by a real Prometheus. What is asserted is what a user sees: the phase,
 * the weights in the VirtualService, the versions and failures users got, the commits in Git.
 *
 * <p>The lab is the real single-node cluster wherever the machine runs it ({@link Lab.Mode#preferred}):
 * the demo's Pods are containers, and Ramp is installed by {@code helm install} from the image the
 * build made, two replicas under the chart's ServiceAccount ({@link HelmOperator}). Elsewhere it
 * is kwok with the packaged operator as a process, and the tests of the install itself skip. The
 * class runs in the pom's {@code cluster} execution, in a JVM started by {@code e2e/lab/netns.sh}.
 */
@Tag("cluster")
class LabReleaseTest {

    /**
     * Fast analysis: 2s per step, 20% then 50%, rollback after 2 failed checks. At 20 users per
     * second a 20% canary serves about 20 requests per 5s window: the minimum sample is 10.
     */
    private static final Manifests.Analysis FAST = new Manifests.Analysis("2s", 2, List.of(20, 50), "5s", 10);
    /** The same for blue/green and A/B, whose steps are iterations (steps are for canaries only). */
    private static final Manifests.Analysis FAST_ITERATIONS = new Manifests.Analysis("2s", 2, null, "5s", 10);
    private static final Duration RELEASE = Duration.ofSeconds(180);
    private static final int RATE = 20;

    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab"))).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static LabApp app(String namespace) throws Exception {
        return lab.app(namespace, FAST).bootstrap("1.0.0", RATE);
    }

    private static RolloutView awaitRollout(LabApp app, Predicate<RolloutView> until) {
        return await().atMost(RELEASE).pollInterval(Duration.ofMillis(250)).until(app::rollout, until);
    }

    private static boolean done(RolloutView view) {
        return "Succeeded".equals(view.phase()) || "Failed".equals(view.phase());
    }

    /** Ramp installed by its chart, or the test skipped where the lab runs it as a process. */
    private static HelmOperator helmInstalled() {
        Assumptions.assumeTrue(lab.mode() == Lab.Mode.CLUSTER, "Ramp runs as a process on the kwok lab: no Helm install to test");
        return lab.helmOperator();
    }

    @Test
    void theChartRunsTheBuiltImageAsTwoPodsUnderItsOwnServiceAccount() throws Exception {
        HelmOperator ramp = helmInstalled();
        // Both replicas up (a Pod another test deleted has its replacement by now, or soon).
        ramp.awaitReplicas(RELEASE);
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
    void aGoodCanaryIsPromoted() throws Exception {
        try (LabApp app = app("good")) {
            LabApp.Release release = app.release("2.0.0", 0);

            // Users reach the canary during the release, before it is promoted.
            await().atMost(RELEASE).until(() -> app.load().count(release.pushed(), r -> "2.0.0".equals(r.version())) > 0);
            assertThat(app.rollout().phase()).isEqualTo("Progressing");
            RolloutView done = awaitRollout(app, LabReleaseTest::done);
            Instant promoted = Instant.now();
            Lab.log("release 2.0.0 promoted %.1fs after the push".formatted(
                    Duration.between(release.pushed(), promoted).toMillis() / 1e3));

            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            assertThat(done.conditionTrue("Promoted")).isTrue();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.routes().virtualServiceCanaryWeight()).isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> app.replicas("podinfo") == 0);
            // After promotion every user gets 2.0.0 from the primary; nobody got an error throughout.
            Instant settled = promoted.plusSeconds(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> app.load().count(settled, r -> true) >= RATE);
            assertThat(app.load().since(settled)).extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }

    @Test
    void aBadCanaryIsRolledBackAndRevertedInGit() throws Exception {
        try (LabApp app = app("bad")) {
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

            // What `kubectl get rollout` shows: Failed, judged bad by a metric out of range on the
            // canary's own requests, reverted in Git. Both error measures judge the 500s.
            assertThat(failed.rollbackReason()).isEqualTo("AnalysisFailed");
            String metric = failed.rollbackMetric();
            assertThat(metric).isIn("request-success-rate", "error-percent");
            assertThat(failed.metricValues()).containsPattern(metric + "=[0-9.]+\\(Failed\\)");
            assertThat(app.routes().virtualServiceCanaryWeight()).isZero();

            // Git: Ramp's revert is the head of main and declares 1.0.0 again.
            assertThat(app.headMessage()).startsWith(failed.revertCommit())
                    .contains("Revert podinfo: Rollout bad/podinfo failed")
                    .contains("AnalysisFailed: " + metric + " was")
                    .contains(release.commit().substring(0, 12));
            assertThat(app.fileAtHead("deployment.yaml")).isEqualTo(Manifests.deployment("1.0.0", 0, 20));
            assertThat(app.gitLog().lines().toList()).hasSize(3).first().asString().contains("Ramp: Revert podinfo");
            if (lab.mode() == Lab.Mode.CLUSTER) {
                // The developer's two pushes came from the node; the last, the revert, from an operator Pod's IP.
                List<String> podIps = lab.helmOperator().pods().stream().map(p -> p.getStatus().getPodIP()).toList();
                List<String> pushers = app.pushedFrom();
                Lab.log("pushes to bad.git came from %s; operator Pods at %s".formatted(pushers, podIps));
                assertThat(pushers).hasSizeGreaterThanOrEqualTo(3);
                assertThat(pushers.get(0)).isEqualTo(pushers.get(1)).isNotIn(podIps);
                assertThat(pushers.get(pushers.size() - 1)).isIn(podIps);
            }

            // Users: the analysis judged real failures, every one of them answered by the canary,
            // and bounded: well under the canary's share (20%) of the 30% it fails.
            assertThat(during).filteredOn(LoadGenerator.Result::failed).isNotEmpty()
                    .extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            assertThat(failedRequests).isLessThanOrEqualTo(during.size() / 10);

            // The cluster is back on the old version: the revert synced, and no new release started.
            await().atMost(RELEASE).until(() -> "ramp.dev/demo:1.0.0".equals(app.image("podinfo")));
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:1.0.0");
            await().atMost(RELEASE).until(() -> app.replicas("podinfo") == 0);
            Instant after = Instant.now().plusSeconds(1);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> "Failed".equals(app.rollout().phase()));
            assertThat(app.load().since(after)).isNotEmpty().allSatisfy(r -> {
                assertThat(r.version()).isEqualTo("1.0.0");
                assertThat(r.failed()).isFalse();
            });
        }
    }

    /** Polls until the release reaches {@code phase} (or a later one) and returns when it was first seen. */
    private static Instant seen(LabApp app, Predicate<RolloutView> reached) {
        await().atMost(RELEASE).pollInterval(Duration.ofMillis(100)).until(app::rollout, reached);
        return Instant.now();
    }

    @Test
    void anAbTestServesTheNewVersionOnlyToTheMatchingCohort() throws Exception {
        try (LabApp app = lab.app("abtest", FAST_ITERATIONS).bootstrap("1.0.0", RATE)) {
            app.strategy("ABTest", """
                        iterations: 3
                        match:
                          - headers: {x-canary: {exact: insider}}
                    """);
            LoadGenerator insiders = app.extraLoad(10, java.util.Map.of("x-canary", "insider"));
            LabApp.Release release = app.release("2.0.0", 0);

            Instant promoting = seen(app, v -> List.of("Promoting", "Finalising", "Succeeded", "Failed").contains(v.phase()));
            RolloutView done = awaitRollout(app, v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            // Before promotion, only the cohort reached 2.0.0; everyone else stayed on 1.0.0.
            Instant before = promoting.minusMillis(500);
            assertThat(insiders.count(release.pushed(), r -> "2.0.0".equals(r.version()) && r.sent().isBefore(before)))
                    .isPositive();
            assertThat(app.load().since(release.pushed())).filteredOn(r -> r.sent().isBefore(before))
                    .isNotEmpty().extracting(LoadGenerator.Result::version).containsOnly("1.0.0");
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
        }
    }

    @Test
    void aBlueGreenIsCheckedOnMirroredTrafficThenTakesEveryoneAtOnce() throws Exception {
        try (LabApp app = lab.app("bluegreen", FAST_ITERATIONS).bootstrap("1.0.0", RATE)) {
            app.strategy("BlueGreen", """
                        iterations: 2
                        mirror: true
                    """);
            LabApp.Release release = app.release("2.0.0", 0);

            Instant switched = seen(app, v -> v.canaryWeight() == 100 || "Succeeded".equals(v.phase()));
            RolloutView done = awaitRollout(app, v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            // The checks before the switch passed on mirrored requests alone: no user reached 2.0.0 until then.
            assertThat(app.load().since(release.pushed())).filteredOn(r -> r.sent().isBefore(switched.minusMillis(500)))
                    .isNotEmpty().extracting(LoadGenerator.Result::version).containsOnly("1.0.0");
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
        }
    }

    @Test
    void anOperatorKilledMidReleaseResumesIt() throws Exception {
        try (LabApp app = app("restart")) {
            LabApp.Release release = app.release("2.0.0", 0);
            awaitRollout(app, v -> "Progressing".equals(v.phase()) && v.canaryWeight() == 20);
            // Ramp records a step in status before it routes to it: wait until the mesh has it too.
            await().atMost(RELEASE).until(() -> app.routes().virtualServiceCanaryWeight() == 20);

            // SIGKILL: on the cluster the leader's container, so its Lease is not released and the
            // other replica waits for it to expire.
            lab.killOperator();
            try {
                // Without the operator the mesh keeps the split it was given: users still reach both versions.
                Instant down = Instant.now();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> app.load().count(down, r -> "2.0.0".equals(r.version())) > 0);
                assertThat(app.routes().virtualServiceCanaryWeight()).isEqualTo(20);
                assertThat(app.rollout().phase()).isEqualTo("Progressing");
            } finally {
                lab.restoreOperator();
            }

            RolloutView done = awaitRollout(app, LabReleaseTest::done);
            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.routes().virtualServiceCanaryWeight()).isZero();
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
            // One release, resumed, not restarted: the canary never went back to its first step's start.
            assertThat(lab.client().v1().events().inNamespace("restart").list().getItems())
                    .filteredOn(e -> "ReleaseStarted".equals(e.getReason())).hasSize(1);
        }
    }

    @Test
    void theLeaderPodDeletedMidReleaseAndTheReleaseCompletesUnderTheNewLeader() throws Exception {
        HelmOperator ramp = helmInstalled();
        ramp.awaitLeader();
        try (LabApp app = lab.app("failover", FailoverBenchmark.STEPS).progressDeadlineSeconds(300).bootstrap("1.0.0", RATE)) {
            LabApp.Release release = app.release("2.0.0", 0);
            awaitRollout(app, v -> "Progressing".equals(v.phase()) && v.canaryWeight() == 20);
            await().atMost(RELEASE).until(() -> app.routes().virtualServiceCanaryWeight() == 20);

            // Deleted as `kubectl delete pod` does: gracefully, so the leader releases its Lease.
            HelmOperator.Failover failover = ramp.deleteLeader();
            String leader = failover.deleted();
            assertThat(failover.leaseTakenOver()).isLessThan(Duration.ofSeconds(60));

            RolloutView end = awaitRollout(app, LabReleaseTest::done);
            assertThat(end.phase()).as("%s", end).isEqualTo("Succeeded");
            assertThat(end.conditionTrue("Promoted")).isTrue();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.routes().virtualServiceCanaryWeight()).isZero();
            assertThat(failover.next()).isNotEqualTo(leader);
            // The old leader is gone; the release continued, not restarted, and nobody got an error.
            assertThat(ramp.pods()).extracting(p -> p.getMetadata().getName()).doesNotContain(leader);
            assertThat(lab.client().v1().events().inNamespace("failover").list().getItems())
                    .filteredOn(e -> "ReleaseStarted".equals(e.getReason())).hasSize(1);
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }
}
