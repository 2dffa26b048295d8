package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end on the Gateway API (issue 20 item 4): releases committed to Git, routed by Ramp
 * through an HTTPRoute it owns on the lab's Gateway, served to users by Traefik, a real proxy, and
 * judged on Traefik's own metrics in a real Prometheus ({@link LabApp.DataPlane#GATEWAY_API}).
 * What is asserted is what a user sees, as in {@link LabReleaseTest}: the phase, the weights in
 * the HTTPRoute, the versions and failures users got, the commits in Git. Cluster lab only: on
 * kwok, which runs no Traefik, it is skipped, saying why.
 */
@Tag("cluster")
class GatewayApiReleaseTest {

    /** As {@link LabReleaseTest}'s: 2s per step, 20% then 50%, rollback after 2 failed checks, 10 requests at least. */
    private static final Manifests.Analysis FAST = new Manifests.Analysis("2s", 2, List.of(20, 50), "5s", 10);
    private static final Manifests.Analysis FAST_ITERATIONS = new Manifests.Analysis("2s", 2, null, "5s", 10);
    private static final Duration RELEASE = Duration.ofSeconds(180);
    private static final int RATE = 20;

    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        Lab.Mode mode = Lab.Mode.preferred(root);
        Assumptions.assumeTrue(mode == Lab.Mode.CLUSTER, "Traefik runs only in the cluster lab; this machine runs " + mode);
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-gateway"), mode).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static LabApp app(String namespace, Manifests.Analysis analysis) throws Exception {
        return lab.app(namespace, analysis).dataPlane(LabApp.DataPlane.GATEWAY_API).bootstrap("1.0.0", RATE);
    }

    private static RolloutView awaitRollout(LabApp app, Predicate<RolloutView> until) {
        return await().atMost(RELEASE).pollInterval(Duration.ofMillis(250)).until(app::rollout, until);
    }

    private static boolean done(RolloutView view) {
        return "Succeeded".equals(view.phase()) || "Failed".equals(view.phase());
    }

    private static Instant seen(LabApp app, Predicate<RolloutView> reached) {
        await().atMost(RELEASE).pollInterval(Duration.ofMillis(100)).until(app::rollout, reached);
        return Instant.now();
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
    void aGoodCanaryIsPromotedThroughTraefik() throws Exception {
        try (LabApp app = app("gw-good", FAST)) {
            LabApp.Release release = app.release("2.0.0", 0);

            // Users reach the canary through Traefik during the release, by the HTTPRoute's weights.
            await().atMost(RELEASE).until(() -> app.load().count(release.pushed(), r -> "2.0.0".equals(r.version())) > 0);
            assertThat(app.rollout().phase()).isEqualTo("Progressing");
            RolloutView done = awaitRollout(app, GatewayApiReleaseTest::done);
            Instant promoted = Instant.now();
            Lab.log("release 2.0.0 through Traefik promoted %.1fs after the push".formatted(
                    Duration.between(release.pushed(), promoted).toMillis() / 1e3));

            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.routes().httpRouteCanaryWeight()).isZero();
            // Traefik stops sending to the old primary Pods some time after they are replaced: it learns of
            // their end from EndpointSlices and applies a change up to 2 s after the previous one, and
            // they serve 5 s after SIGTERM. Within 10 s every user is on 2.0.0, and stays there.
            Instant converged = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> lastSecondOnlyOn(app, "2.0.0"), found -> found != null);
            Lab.log("after the promotion, users on 2.0.0 only from %.1fs".formatted(
                    Duration.between(promoted, converged).toMillis() / 1e3));
            await().atMost(Duration.ofSeconds(10)).until(() -> app.load().count(converged, r -> true) >= RATE);
            assertThat(app.load().since(converged)).extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            // The canary is scaled to 0 once the route has left it: nobody is sent to its pods while they
            // go (they serve 5 s after SIGTERM, so 7 s of requests after the scale-down reach past their end).
            await().atMost(Duration.ofSeconds(30)).until(() -> app.replicas("podinfo") == 0);
            Instant scaledDown = Instant.now();
            await().atMost(Duration.ofSeconds(15)).until(() -> app.load().count(scaledDown, r -> true) >= 7 * RATE);
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }

    @Test
    void aBadCanaryIsRolledBackOnTraefiksMetricsAndRevertedInGit() throws Exception {
        try (LabApp app = app("gw-bad", FAST)) {
            LabApp.Release release = app.release("2.0.0", 0.3);
            RolloutView failed = awaitRollout(app, v -> "Failed".equals(v.phase()) && v.conditionTrue("GitReverted"));
            Instant rolledBack = Instant.now();
            List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                    .filter(r -> !r.sent().isAfter(rolledBack)).toList();
            long failedRequests = during.stream().filter(LoadGenerator.Result::failed).count();
            Lab.log("release 2.0.0 through Traefik rolled back and reverted %.1fs after the push: %d of %d user requests failed (%s)"
                    .formatted(Duration.between(release.pushed(), rolledBack).toMillis() / 1e3, failedRequests,
                            during.size(), failed.metricValues()));

            assertThat(failed.rollbackReason()).isEqualTo("AnalysisFailed");
            assertThat(failed.rollbackMetric()).isIn("request-success-rate", "error-percent");
            // The built-in metric, on Traefik's own service metrics (TraefikQueries), saw the failures too.
            assertThat(failed.metrics()).filteredOn(m -> "request-success-rate".equals(m.get("name"))).singleElement()
                    .satisfies(m -> {
                        assertThat(m.get("verdict")).isEqualTo("Failed");
                        assertThat(((Number) m.get("value")).doubleValue()).isLessThan(99);
                    });
            assertThat(app.routes().httpRouteCanaryWeight()).isZero();
            assertThat(app.headMessage()).startsWith(failed.revertCommit()).contains(release.commit().substring(0, 12));
            assertThat(app.fileAtHead("deployment.yaml")).isEqualTo(Manifests.deployment("1.0.0", 0, 20));
            // The failures users got were the canary's, and few: under its share (20%) of the 30% it fails.
            assertThat(during).filteredOn(LoadGenerator.Result::failed).isNotEmpty()
                    .extracting(LoadGenerator.Result::version).containsOnly("2.0.0");
            assertThat(failedRequests).isLessThanOrEqualTo(during.size() / 10);
            await().atMost(RELEASE).until(() -> "ramp.dev/demo:1.0.0".equals(app.image("podinfo")));
            Instant after = Instant.now().plusSeconds(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> app.load().count(after, r -> true) >= RATE);
            assertThat(app.load().since(after)).allSatisfy(r -> {
                assertThat(r.version()).isEqualTo("1.0.0");
                assertThat(r.failed()).isFalse();
            });
        }
    }

    @Test
    void anAbTestThroughTraefikServesTheNewVersionOnlyToTheMatchingCohort() throws Exception {
        try (LabApp app = app("gw-abtest", FAST_ITERATIONS)) {
            app.strategy("ABTest", """
                        iterations: 3
                        match:
                          - headers: {x-canary: {exact: insider}}
                    """);
            LoadGenerator insiders = app.extraLoad(10, Map.of("x-canary", "insider"));
            LabApp.Release release = app.release("2.0.0", 0);

            Instant promoting = seen(app, v -> List.of("Promoting", "Finalising", "Succeeded", "Failed").contains(v.phase()));
            RolloutView done = awaitRollout(app, GatewayApiReleaseTest::done);
            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            Instant before = promoting.minusMillis(500);
            assertThat(insiders.count(release.pushed(), r -> "2.0.0".equals(r.version()) && r.sent().isBefore(before)))
                    .isPositive();
            assertThat(app.load().since(release.pushed())).filteredOn(r -> r.sent().isBefore(before))
                    .isNotEmpty().extracting(LoadGenerator.Result::version).containsOnly("1.0.0");
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
        }
    }

    /**
     * Session affinity through Traefik: users who keep cookies, once answered by the canary, are
     * answered by it for the rest of the release (the canary's responses set the cookie, and a rule
     * sends its holders to the canary), while users without cookies are split by the weights.
     */
    @Test
    void aUserTheCanaryAnsweredStaysOnItThroughTraefik() throws Exception {
        try (LabApp app = app("gw-sticky", new Manifests.Analysis("4s", 2, List.of(20, 50), "5s", 10))) {
            app.strategy("Canary", """
                        sessionAffinity: {cookieName: ramp-canary}
                    """);
            CookieUsers browsers = app.cookieUsers(20, Duration.ofMillis(250), 1200);
            LabApp.Release release = app.release("2.0.0", 0);

            Instant promoting = seen(app, v -> List.of("Promoting", "Finalising", "Succeeded", "Failed").contains(v.phase()));
            RolloutView done = awaitRollout(app, GatewayApiReleaseTest::done);
            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            Instant before = promoting.minusMillis(500);
            Map<Integer, List<CookieUsers.Answer>> users = browsers.byUser(before);
            List<Integer> onCanary = users.entrySet().stream()
                    .filter(u -> u.getValue().stream().anyMatch(a -> "2.0.0".equals(a.version()))).map(Map.Entry::getKey).toList();
            Lab.log("session affinity through Traefik: %d of %d users reached the canary before the promotion"
                    .formatted(onCanary.size(), users.size()));
            assertThat(onCanary).as("users the weights sent to the canary").hasSizeGreaterThanOrEqualTo(3);
            for (int user : onCanary) {
                List<String> versions = users.get(user).stream().map(CookieUsers.Answer::version).toList();
                assertThat(versions.subList(versions.indexOf("2.0.0"), versions.size())).as("user %d after the canary answered", user)
                        .containsOnly("2.0.0");
            }
            // Users without cookies were split by the weights meanwhile: both versions answered them.
            assertThat(app.load().since(release.pushed())).filteredOn(r -> r.sent().isBefore(before))
                    .extracting(LoadGenerator.Result::version).contains("1.0.0", "2.0.0");
            assertThat(users.values().stream().flatMap(List::stream)).filteredOn(a -> a.status() >= 500 || a.status() == 0).isEmpty();
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }

    /**
     * Without mirroring, which Traefik does not implement (an HTTPRoute rule with RequestMirror
     * answers 500 to everyone): the new version is checked on testers' requests through a preview
     * route of their own to the canary's Service, as blue/green users do, then takes everyone.
     */
    @Test
    void aBlueGreenThroughTraefikIsCheckedOnAPreviewRouteThenSwitchesEveryoneAtOnce() throws Exception {
        try (LabApp app = app("gw-bluegreen", FAST_ITERATIONS)) {
            app.strategy("BlueGreen", """
                        iterations: 2
                    """);
            Path preview = lab.dir().resolve("gw-bluegreen-preview.yaml");
            java.nio.file.Files.writeString(preview, """
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: podinfo-preview, namespace: gw-bluegreen}
                    spec:
                      parentRefs: [{name: %s, namespace: %s}]
                      hostnames: [podinfo-preview.gw-bluegreen]
                      rules: [{backendRefs: [{name: podinfo-canary, port: 9898}]}]
                    """.formatted(TraefikGateway.GATEWAY, TraefikGateway.NAMESPACE));
            lab.kubectl("apply", "-f", preview.toString());
            try (LoadGenerator testers = new LoadGenerator(lab.gatewayAddress(), "podinfo-preview", "gw-bluegreen", 10)) {
                LabApp.Release release = app.release("2.0.0", 0);

                Instant switched = seen(app, v -> v.canaryWeight() == 100 || "Succeeded".equals(v.phase()));
                RolloutView done = awaitRollout(app, GatewayApiReleaseTest::done);
                assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
                // The testers reached the new version before the switch; no user did.
                Instant before = switched.minusMillis(500);
                assertThat(testers.count(release.pushed(), r -> "2.0.0".equals(r.version()) && r.sent().isBefore(before)))
                        .isPositive();
                assertThat(app.load().since(release.pushed())).filteredOn(r -> r.sent().isBefore(before))
                        .isNotEmpty().extracting(LoadGenerator.Result::version).containsOnly("1.0.0");
                assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
            }
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.routes().httpRouteCanaryWeight()).isZero();
        }
    }

    /**
     * A Gateway that refuses the route holds the release: the Rollout names a second listener of
     * the lab's Gateway, {@code nope}, which does not exist. Traefik keeps serving the route on the
     * listener {@code web} and writes {@code Accepted: False, NoMatchingParent} for the other
     * parentRef; Ramp holds with RouteAccepted False, so a release pushed meanwhile sends users no
     * request to the new version, and goes on once the parentRef is removed.
     */
    @Test
    void aGatewayThatRefusesTheRouteHoldsTheReleaseUntilItAccepts() throws Exception {
        try (LabApp app = app("gw-refused", FAST)) {
            app.service("{port: 9898, provider: GatewayAPI, hosts: [podinfo.gw-refused], parentRefs: ["
                    + "{name: %1$s, namespace: %2$s, sectionName: web}, {name: %1$s, namespace: %2$s, sectionName: nope}]}"
                            .formatted(TraefikGateway.GATEWAY, TraefikGateway.NAMESPACE));

            // What Traefik wrote in the route, and what Ramp made of it.
            await().atMost(Duration.ofSeconds(60)).until(app.routes()::httpRouteAccepted,
                    parents -> Map.of("web", "True/Accepted", "nope", "False/NoMatchingParent").equals(parents));
            RolloutView held = awaitRollout(app, v -> "False".equals(v.condition("RouteAccepted").get("status")));
            Lab.log("route refused: %s".formatted(held.condition("RouteAccepted")));
            assertThat(held.condition("RouteAccepted")).containsEntry("reason", "RouteNotAccepted");
            assertThat(String.valueOf(held.condition("RouteAccepted").get("message")))
                    .contains(TraefikGateway.NAMESPACE + "/" + TraefikGateway.GATEWAY).contains("NoMatchingParent");

            // A release pushed while refused: held, not rolled back; no user reaches 2.0.0.
            LabApp.Release release = app.release("2.0.0", 0);
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(250))
                    .until(() -> !List.of("Progressing", "Promoting", "Finalising", "Succeeded", "Failed")
                            .contains(app.rollout().phase()) && app.routes().httpRouteCanaryWeight() == 0);
            assertThat(app.rollout().condition("RouteAccepted")).containsEntry("status", "False");
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:1.0.0");
            assertThat(app.load().since(release.pushed())).isNotEmpty()
                    .extracting(LoadGenerator.Result::version).containsOnly("1.0.0");

            // The developer removes the refused parentRef: the route is accepted, the release goes on.
            app.service(null);
            RolloutView done = awaitRollout(app, v -> "Succeeded".equals(v.phase()) || "Failed".equals(v.phase()));
            assertThat(done.phase()).as("%s", done).isEqualTo("Succeeded");
            assertThat(done.condition("RouteAccepted")).containsEntry("status", "True");
            assertThat(app.image("podinfo-primary")).isEqualTo("ramp.dev/demo:2.0.0");
            assertThat(app.load().since(release.pushed())).filteredOn(LoadGenerator.Result::failed).isEmpty();
        }
    }
}
