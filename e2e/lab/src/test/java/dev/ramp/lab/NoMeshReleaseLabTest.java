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
 * End to end without a mesh (issue 21 item 2): releases committed to Git, split by Ramp through
 * the selector of the app's own Service and the canary's pod count ({@code service.provider:
 * None}), served to users by kube-proxy at the Service's ClusterIP, and judged on the demo's own
 * request counter, which the lab's Prometheus scrapes from each Pod with the Pod's labels
 * ({@link LabApp.DataPlane#NONE}). The app is docs/examples/no-mesh.yaml's shape: 4 primary pods,
 * {@code maxSurge: 50%}, steps 20 and 50, so 1 canary pod (20%) then 2 (33%, the cap). What is
 * asserted is what a user sees: the phase, the Service's selector, the pods, the versions and
 * failures users got, the commits in Git. Cluster lab only: kwok runs no kube-proxy.
 */
@Tag("cluster")
class NoMeshReleaseLabTest {

    /** As {@link GatewayApiReleaseTest}'s: 2s per step, 20% then 50%, rollback after 2 failed checks, 10 requests at least. */
    private static final Manifests.Analysis FAST = new Manifests.Analysis("2s", 2, List.of(20, 50), "5s", 10);
    private static final Duration RELEASE = Duration.ofSeconds(180);
    private static final int RATE = 20;
    private static final Map<String, String> PRIMARY = Map.of("app", "podinfo-primary");
    private static final Map<String, String> BOTH = Map.of("ramp.dev/service", "podinfo");

    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        Lab.Mode mode = Lab.Mode.preferred(root);
        Assumptions.assumeTrue(mode == Lab.Mode.CLUSTER, "kube-proxy runs only in the cluster lab; this machine runs " + mode);
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-nomesh"), mode).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static LabApp app(String namespace) throws Exception {
        // Bounded: 20 requests a second for 6 minutes at most (a test takes about 1).
        return lab.app(namespace, FAST).dataPlane(LabApp.DataPlane.NONE).bootstrap("1.0.0", RATE, RATE * 360);
    }

    /** What a user polling kubectl sees at one instant. */
    private record Seen(RolloutView rollout, Map<String, String> selector, int canaryPods, int primaryPods) {
    }

    /** Polls the Rollout, the Service and both Deployments until {@code until}, keeping every sight in {@code seen}. */
    private static Seen watch(LabApp app, List<Seen> seen, Predicate<RolloutView> until) {
        return await().atMost(RELEASE).pollInterval(Duration.ofMillis(250)).until(() -> {
            Seen now = new Seen(app.rollout(), app.routes().serviceSelector(), app.replicas("podinfo"), app.replicas("podinfo-primary"));
            seen.add(now);
            return now;
        }, s -> until.test(s.rollout()));
    }

    private static boolean done(RolloutView view) {
        return "Succeeded".equals(view.phase()) || "Failed".equals(view.phase());
    }

    /**
     * The start of the last second's requests when there were some and {@code version} answered
     * every one of them, else null.
     */
    private static Instant lastSecondOnlyOn(LabApp app, String version) {
        Instant from = Instant.now().minusSeconds(1);
        List<LoadGenerator.Result> last = app.load().since(from);
        return !last.isEmpty() && last.stream().allMatch(r -> version.equals(r.version())) ? from : null;
    }

    @Test
    void aGoodCanaryIsPromotedThroughKubeProxy() throws Exception {
        try (LabApp app = app("nomesh-good")) {
            assertThat(app.routes().serviceSelector()).isEqualTo(PRIMARY);
            List<Seen> seen = new CopyOnWriteArrayList<>();
            LabApp.Release release = app.release("2.0.0", 0);

            watch(app, seen, v -> List.of("Promoting", "Finalising", "Succeeded", "Failed").contains(v.phase()));
            Instant promoting = Instant.now();
            Seen done = watch(app, seen, NoMeshReleaseLabTest::done);
            Instant promoted = Instant.now();
            List<LoadGenerator.Result> steps = app.load().since(release.pushed()).stream()
                    .filter(r -> r.sent().isBefore(promoting.minusMillis(500))).toList();
            Lab.log(("release 2.0.0 without a mesh promoted %.1fs after the push; during the steps %d requests, %d answered by"
                    + " 2.0.0; shares seen %s, canary pods seen %s, selectors seen %s").formatted(
                            Duration.between(release.pushed(), promoted).toMillis() / 1e3, steps.size(),
                            steps.stream().filter(r -> "2.0.0".equals(r.version())).count(),
                            seen.stream().map(s -> s.rollout().canaryWeight()).distinct().toList(),
                            seen.stream().map(Seen::canaryPods).distinct().toList(),
                            seen.stream().map(Seen::selector).distinct().toList()));

            assertThat(done.rollout().phase()).as("%s", done).isEqualTo("Succeeded");
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            // The split, as kubectl shows it: the Service selected both versions' pods at the steps,
            // 1 canary pod (20%), then 2 (33%: 50% asked, maxSurge 50% of 4 allows 2); the primary kept its 4.
            assertThat(seen).extracting(s -> s.rollout().canaryWeight()).contains(20, 33).allMatch(w -> w <= 33);
            assertThat(seen).extracting(Seen::canaryPods).contains(1, 2).allMatch(n -> n <= 2);
            assertThat(seen).extracting(Seen::primaryPods).containsOnly(4);
            assertThat(seen).extracting(Seen::selector).contains(BOTH);
            // The canary was judged on its own requests, counted by the demo and labelled with its revision.
            assertThat(done.rollout().metrics()).filteredOn(m -> Manifests.SUCCESS_RATE.equals(m.get("name"))).singleElement()
                    .satisfies(m -> assertThat(m.get("verdict")).isEqualTo("Passed"));
            // kube-proxy sent users to both versions during the steps.
            assertThat(steps).extracting(LoadGenerator.Result::version).contains("1.0.0", "2.0.0");

            // After: the Service selects the primary's pods again, and every user is on 2.0.0, once the
            // old primary pods are out of kube-proxy's rules (they serve 5 s after SIGTERM meanwhile).
            assertThat(app.routes().serviceSelector()).isEqualTo(PRIMARY);
            Instant converged = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> lastSecondOnlyOn(app, "2.0.0"), found -> found != null);
            Lab.log("after the promotion, users on 2.0.0 only from %.1fs".formatted(
                    Duration.between(promoted, converged).toMillis() / 1e3));
            await().atMost(Duration.ofSeconds(10)).until(() -> app.load().count(converged, r -> true) >= RATE);
            assertThat(app.load().since(converged)).extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            // The canary's pods go once the Service has left them; 7 s of requests reach past their end.
            await().atMost(Duration.ofSeconds(30)).until(() -> app.replicas("podinfo") == 0);
            Instant scaledDown = Instant.now();
            await().atMost(Duration.ofSeconds(15)).until(() -> app.load().count(scaledDown, r -> true) >= 7 * RATE);
            List<LoadGenerator.Result> users = app.load().since(release.pushed());
            List<LoadGenerator.Result> failed = users.stream().filter(LoadGenerator.Result::failed).toList();
            Lab.log(("release 2.0.0 without a mesh: %d of %d user requests failed, from the push to 7s after the canary's"
                    + " scale-down %s").formatted(failed.size(), users.size(), failed));
            // No user request fails: each is a new connection to a Ready pod kube-proxy lists, and a pod
            // leaving the Service's endpoints serves 5 s after SIGTERM.
            assertThat(failed).isEmpty();
        }
    }

    @Test
    void aBadCanaryIsRolledBackOnTheAppsOwnMetricsAndRevertedInGit() throws Exception {
        try (LabApp app = app("nomesh-bad")) {
            List<Seen> seen = new CopyOnWriteArrayList<>();
            LabApp.Release release = app.release("2.0.0", 0.3);
            Seen failed = watch(app, seen, v -> "Failed".equals(v.phase()) && v.conditionTrue("GitReverted"));
            Instant rolledBack = Instant.now();
            List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                    .filter(r -> !r.sent().isAfter(rolledBack)).toList();
            long failedRequests = during.stream().filter(LoadGenerator.Result::failed).count();
            long onCanary = during.stream().filter(r -> "2.0.0".equals(r.version())).count();
            Lab.log(("release 2.0.0 without a mesh rolled back and reverted %.1fs after the push: %d of %d user requests"
                    + " failed, %d answered by the canary (%s)").formatted(Duration.between(release.pushed(), rolledBack)
                    .toMillis() / 1e3, failedRequests, during.size(), onCanary, failed.rollout().metricValues()));

            RolloutView view = failed.rollout();
            assertThat(view.rollbackReason()).isEqualTo("AnalysisFailed");
            assertThat(view.rollbackMetric()).isEqualTo(Manifests.SUCCESS_RATE);
            assertThat(view.metrics()).filteredOn(m -> Manifests.SUCCESS_RATE.equals(m.get("name"))).singleElement()
                    .satisfies(m -> {
                        assertThat(m.get("verdict")).isEqualTo("Failed");
                        assertThat(((Number) m.get("value")).doubleValue()).isLessThan(99);
                    });
            // A Failed status never describes a Service that still selects the canary.
            assertThat(failed.selector()).isEqualTo(PRIMARY);
            assertThat(app.headMessage()).startsWith(view.revertCommit()).contains(release.commit().substring(0, 12));
            assertThat(app.fileAtHead("deployment.yaml")).isEqualTo(Manifests.noMeshDeployment("1.0.0", 0, 20));
            // The failures users got were the canary's, and few: the canary fails 30% of what it gets,
            // and gets at most its share of the pods, 1 in 5 at the first step (2 in 6 at the second).
            assertThat(during).filteredOn(LoadGenerator.Result::failed).isNotEmpty()
                    .extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            assertThat(failedRequests).isLessThanOrEqualTo(during.size() / 10);

            // The canary at 0 pods, its Deployment back on 1.0.0 from Git, every user on 1.0.0 and none failing.
            await().atMost(Duration.ofSeconds(30)).until(() -> app.replicas("podinfo") == 0
                    && lab.client().pods().inNamespace(app.namespace()).withLabel("app", "podinfo").list().getItems().isEmpty());
            await().atMost(RELEASE).until(() -> "ramp.dev/demo:1.0.0".equals(app.image("podinfo")));
            Instant after = Instant.now().plusSeconds(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> app.load().count(after, r -> true) >= RATE);
            assertThat(app.load().since(after)).allSatisfy(r -> {
                assertThat(r.version()).isEqualTo("1.0.0");
                assertThat(r.failed()).isFalse();
            });
        }
    }
}
