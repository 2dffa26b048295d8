package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end, on the lab: releases committed to Git, synced by the packaged operator, served to
 * users through the mesh stand-in and judged by a real Prometheus. What is asserted is what a
 * user sees: the phase, the weights in the VirtualService, the versions and failures users got,
 * the commits in Git.
 */
class LabReleaseTest {

    /**
     * Fast analysis: 2s per step, 20% then 50%, rollback after 2 failed checks. At 20 users per
     * second a 20% canary serves about 20 requests per 5s window: the minimum sample is 10.
     */
    private static final Manifests.Analysis FAST = new Manifests.Analysis("2s", 2, List.of(20, 50), "5s", 10);
    /** The same for blue/green and A/B, whose steps are iterations (steps are for canaries only). */
    private static final Manifests.Analysis FAST_ITERATIONS = new Manifests.Analysis("2s", 2, null, "5s", 10);
    private static final Duration RELEASE = Duration.ofSeconds(90);
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

    @Test
    void aGoodCanaryIsPromoted() throws Exception {
        try (LabApp app = app("good")) {
            LabApp.Release release = app.release("2.0.0", 0);

            // Users reach the canary during the release, before it is promoted.
            await().atMost(RELEASE).until(() -> app.load().count(release.pushed(), r -> "2.0.0".equals(r.version())) > 0);
            assertThat(app.rollout().phase()).isEqualTo("Progressing");
            RolloutView done = awaitRollout(app, v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
            Instant promoted = Instant.now();

            assertThat(done.phase()).isEqualTo("Succeeded");
            assertThat(done.conditionTrue("Promoted")).isTrue();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.virtualServiceCanaryWeight()).isZero();
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
            LabApp.Release release = app.release("2.0.0", 0.3);

            RolloutView failed = awaitRollout(app, v -> "Failed".equals(v.phase()) && v.conditionTrue("GitReverted"));
            // Judged on the canary's own requests: a metric out of range, a verdict of Failed.
            assertThat(failed.metricValues()).containsPattern("request-success-rate=[0-9.]+\\(Failed\\)");
            assertThat(app.virtualServiceCanaryWeight()).isZero();
            // The analysis judged real failures: users of the canary got 500s during the release.
            assertThat(app.load().count(release.pushed(), r -> "2.0.0".equals(r.version()) && r.failed())).isPositive();

            // Git: Ramp's revert is the head of main and declares 1.0.0 again.
            assertThat(app.headMessage()).startsWith(failed.revertCommit())
                    .contains("Revert podinfo: Rollout bad/podinfo failed").contains(release.commit().substring(0, 12));
            assertThat(app.fileAtHead("deployment.yaml")).isEqualTo(Manifests.deployment("1.0.0", 0, 20));
            assertThat(app.gitLog().lines().toList()).hasSize(3).first().asString().contains("Ramp: Revert podinfo");

            // The cluster is back on the old version: the revert synced, and no new release started.
            await().atMost(Duration.ofSeconds(30)).until(() -> "ramp.dev/demo:1.0.0".equals(app.image("podinfo")));
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:1.0.0");
            await().atMost(Duration.ofSeconds(20)).until(() -> app.replicas("podinfo") == 0);
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
            assertThat(done.phase()).isEqualTo("Succeeded");
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
            assertThat(done.phase()).isEqualTo("Succeeded");
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
            await().atMost(RELEASE).until(() -> app.virtualServiceCanaryWeight() == 20);

            lab.killOperator();
            try {
                // Without the operator the mesh keeps the split it was given: users still reach both versions.
                Instant down = Instant.now();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> app.load().count(down, r -> "2.0.0".equals(r.version())) > 0);
                assertThat(app.virtualServiceCanaryWeight()).isEqualTo(20);
                assertThat(app.rollout().phase()).isEqualTo("Progressing");
            } finally {
                lab.startOperator();
            }

            RolloutView done = awaitRollout(app, v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
            assertThat(done.phase()).isEqualTo("Succeeded");
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.virtualServiceCanaryWeight()).isZero();
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
            // One release, resumed, not restarted: the canary never went back to its first step's start.
            assertThat(lab.client().v1().events().inNamespace("restart").list().getItems())
                    .filteredOn(e -> "ReleaseStarted".equals(e.getReason())).hasSize(1);
        }
    }
}
