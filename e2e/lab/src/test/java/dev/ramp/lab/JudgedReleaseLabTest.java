package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end, the statistical judge with a baseline (issue 22, docs/judge.md): releases committed
 * to Git, judged on no threshold at all, only on the built-in request-duration compared with a
 * baseline Deployment of the promoted revision that Ramp runs beside the canary with the canary's
 * share, both served to users by Traefik (a real proxy) and measured by its own metrics in a real
 * Prometheus. A canary 50% slower (30 ms against 20 ms) is rolled back and reverted in Git with the
 * comparison in the commit's message; a canary as fast as its baseline is promoted, the baseline
 * gone after. What is asserted is what a user sees: the weights in the HTTPRoute, the Deployments,
 * the phase, status.metrics' comparison, the commits in Git and the requests users got.
 *
 * <p>The judge's points are each step's mean latency from Traefik's histogram (its sum over its
 * count; docs/judge.md, "Where the points come from"). Cluster lab only: on kwok, which runs no
 * Traefik, it is skipped, saying why.
 */
@Tag("cluster")
class JudgedReleaseLabTest {

    /**
     * The Rollout's analysis: checks every 2s, rollback after 2 failed, steps 25% then 50% (the
     * baseline takes as much again), and one compare metric, critical: the canary's p99 may be at
     * most 20% above the baseline's. Points every 2 s, 10 a side (a window of 20 s).
     */
    private static final String JUDGED = """
              analysis:
                interval: 2s
                threshold: 2
                stepWeights: [25, 50]
                minRequests: 10
                baseline: true
                judge: {step: 2s, minPoints: 10}
                metrics:
                  - name: request-duration
                    compare: {direction: increase, tolerance: 0.2, critical: true}
            """;
    private static final Duration RELEASE = Duration.ofSeconds(180);
    private static final int RATE = 20;
    private static final int SLOWER_MS = LabApp.LATENCY_MS * 3 / 2;

    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        Lab.Mode mode = Lab.Mode.preferred(root);
        Assumptions.assumeTrue(mode == Lab.Mode.CLUSTER, "Traefik runs only in the cluster lab; this machine runs " + mode);
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-judged"), mode).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static LabApp app(String namespace) throws Exception {
        return lab.app(namespace, Manifests.Analysis.DEFAULTS).dataPlane(LabApp.DataPlane.GATEWAY_API).analysisYaml(JUDGED)
                .bootstrap("1.0.0", RATE);
    }

    /** What a user polling kubectl sees at one instant: the Rollout, the route's baseline share, the baseline's replicas. */
    private record Seen(RolloutView rollout, int baselineWeight, int canaryWeight, int baselineReplicas) {
    }

    private static Seen watch(LabApp app, List<Seen> seen, Predicate<RolloutView> until) {
        return await().atMost(RELEASE).pollInterval(Duration.ofMillis(250)).until(() -> {
            // Both shares from one read of the route, so that they are of one moment.
            Map<String, Integer> weights = app.routes().httpRouteWeights("-baseline", "-canary");
            Seen now = new Seen(app.rollout(), weights.get("-baseline"), weights.get("-canary"), app.replicas("podinfo-baseline"));
            seen.add(now);
            return now;
        }, s -> until.test(s.rollout()));
    }

    private static Map<String, Object> metric(RolloutView view, String name) {
        return view.metrics().stream().filter(m -> name.equals(m.get("name"))).findFirst().orElseThrow(
                () -> new AssertionError("no " + name + " in status.metrics " + view.metrics()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> comparison(Map<String, Object> metric) {
        return (Map<String, Object>) metric.get("comparison");
    }

    @Test
    void aCanaryAsFastAsItsBaselineIsPromotedAndTheBaselineIsGoneAfter() throws Exception {
        try (LabApp app = app("judged-good")) {
            List<Seen> seen = new CopyOnWriteArrayList<>();
            LabApp.Release release = app.release("2.0.0", 0);

            Seen done = watch(app, seen, v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
            Map<String, Object> duration = metric(done.rollout(), "request-duration");
            Lab.log("judged release 2.0.0 with a baseline promoted %.1fs after the push: canary/baseline shares %s, %s"
                    .formatted(Duration.between(release.pushed(), Instant.now()).toMillis() / 1e3,
                            seen.stream().map(s -> s.canaryWeight() + "/" + s.baselineWeight()).distinct().toList(),
                            duration.get("message")));

            assertThat(done.rollout().phase()).as("%s", done).isEqualTo("Succeeded");
            // The baseline had the canary's share at each step, through a third backendRef of the route.
            assertThat(seen).filteredOn(s -> s.baselineWeight() > 0)
                    .extracting(s -> s.canaryWeight() + "/" + s.baselineWeight()).contains("25/25", "50/50");
            assertThat(comparison(duration)).containsEntry("comparedWith", "baseline").containsEntry("classification", "Pass");
            assertThat(((Number) comparison(duration).get("canaryPoints")).intValue()).isGreaterThanOrEqualTo(10);
            assertThat(duration.get("message").toString()).contains(" vs baseline ");
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");

            // After the release the route has no baseline and Ramp deletes its Deployment and Service.
            assertThat(app.routes().httpRouteWeight("-baseline")).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.client().apps().deployments().inNamespace(app.namespace())
                    .withName("podinfo-baseline").get() == null
                    && lab.client().services().inNamespace(app.namespace()).withName("podinfo-baseline").get() == null);
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }

    @Test
    void aCanaryHalfAgainAsSlowIsRolledBackOnTheComparisonAndRevertedInGit() throws Exception {
        try (LabApp app = app("judged-slow")) {
            List<Seen> seen = new CopyOnWriteArrayList<>();
            LabApp.Release release = app.release("2.0.0", 0, SLOWER_MS);

            Seen failed = watch(app, seen, v -> "Failed".equals(v.phase()) && v.conditionTrue("GitReverted"));
            RolloutView view = failed.rollout();
            Map<String, Object> duration = metric(view, "request-duration");
            Lab.log("judged release 2.0.0 (%d ms against %d) rolled back and reverted %.1fs after the push: %s; head: %s"
                    .formatted(SLOWER_MS, LabApp.LATENCY_MS, Duration.between(release.pushed(), Instant.now()).toMillis() / 1e3,
                            duration.get("message"), app.headMessage()));

            assertThat(view.rollbackReason()).isEqualTo("AnalysisFailed");
            assertThat(comparison(duration)).containsEntry("comparedWith", "baseline").containsEntry("classification", "High");
            assertThat(((Number) comparison(duration).get("canaryMedian")).doubleValue())
                    .isGreaterThan(((Number) comparison(duration).get("comparisonMedian")).doubleValue());
            // The revert names the release's commit and says why, with the effect and its confidence.
            assertThat(app.headMessage()).startsWith(view.revertCommit()).contains(release.commit().substring(0, 12))
                    .containsPattern("request-duration \\(critical\\): canary median [0-9.]+ ms vs baseline [0-9.]+ ms, \\+[0-9.]+%"
                            + " \\(98% CI \\+[0-9.]+\\.\\.\\+[0-9.]+%\\), High");
            assertThat(app.fileAtHead("deployment.yaml")).isEqualTo(Manifests.deployment("1.0.0", 0, LabApp.LATENCY_MS));
            assertThat(app.routes().httpRouteCanaryWeight()).isZero();
            assertThat(app.routes().httpRouteWeight("-baseline")).isZero();
            // Slow is not failed: no user got an error.
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }
}
