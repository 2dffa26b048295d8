package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Classification;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The statistical judge in a release declared in Git, against the real kube-apiserver and a real
 * Prometheus scraping Istio-shaped telemetry whose latencies vary per request: a canary whose
 * median latency is 50% above the primary's, with no threshold anywhere, is rolled back and
 * reverted in Git with the comparison in the commit's message; a canary as fast as the primary is
 * promoted; with analysis.baseline, a canary as fast as its baseline (and faster than the primary)
 * is promoted on the comparison with the baseline, which is gone once the release ends. Only
 * request-duration is compared (the built-in metric: its mean per 1s step, as range queries per
 * revision).
 */
class JudgedReleaseTest {

    private static final Duration RELEASE = Duration.ofSeconds(120);
    private static final int PRIMARY_MEDIAN_MS = 140;
    private static final double SPREAD = 0.25;

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private static GitHttpServer server;

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();

    private GitFixture fx;
    private FakeKubelet kubelet;

    @BeforeAll
    static void start() throws Exception {
        server = new GitHttpServer(GitFixture.USER, GitFixture.PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void repository() throws Exception {
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("judged"));
        kubelet = new FakeKubelet(client, fx.namespace);
    }

    @AfterEach
    void cleanUp() {
        kubelet.close();
        fx.close();
    }

    /** A Rollout whose only metric is request-duration compared with the primary: critical, no threshold. */
    static String rollout() {
        return """
                apiVersion: ramp.dev/v1alpha1
                kind: Rollout
                metadata:
                  name: podinfo
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
                  progressDeadlineSeconds: 60
                  service: {port: 9898}
                  analysis:
                    interval: 2s
                    threshold: 2
                    inconclusiveLimit: 40
                    stepWeights: [10, 50]
                    judge: {step: 1s, minPoints: 10}
                    metrics:
                      - name: request-duration
                        interval: 15s
                        compare: {direction: increase, tolerance: 0.1, critical: true}
                  gitRevert: {enabled: true, sourceRef: {name: apps}, mode: Push}
                """;
    }

    @Test
    void aCanaryFiftyPercentSlowerIsRolledBackAndRevertedWithTheComparisonInTheCommit() throws Exception {
        bootstrap();
        telemetry.serveVaried(fx.namespace, "podinfo", 100, PRIMARY_MEDIAN_MS * 3 / 2, SPREAD);
        String bad = release("podinfo:2.0", "podinfo 2.0");

        Rollout reverted = awaitRollout(RELEASE, r -> Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));

        assertThat(reverted.getStatus().getPhase()).isEqualTo(Phase.Failed);
        assertThat(reverted.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisFailed");
        assertThat(reverted.getStatus().getRollbackCause().getComparisons()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo("request-duration");
            assertThat(m.getComparison().getClassification()).isEqualTo(Classification.High);
            assertThat(m.getComparison().getCanaryMedian()).isGreaterThan(m.getComparison().getComparisonMedian());
            assertThat(m.getComparison().getLower()).isPositive();
        });
        MetricStatus duration = reverted.getStatus().getMetrics().stream().filter(m -> m.getName().equals("request-duration"))
                .findFirst().orElseThrow();
        assertThat(duration.getComparison().getCanaryPoints()).isGreaterThanOrEqualTo(10);
        assertThat(duration.getComparison().getComparisonPoints()).isGreaterThanOrEqualTo(10);
        RevCommit head = fx.dev.log().get(0);
        assertThat(head.name()).isEqualTo(reverted.getStatus().getGitRevert().getCommit());
        assertThat(head.getParent(0).name()).isEqualTo(bad);
        assertThat(head.getFullMessage()).containsPattern("AnalysisFailed: request-duration \\(critical\\): canary median [0-9.]+ ms"
                + " vs primary [0-9.]+ ms, \\+[0-9.]+% \\(98% CI \\+[0-9.]+\\.\\.\\+[0-9.]+%\\), High");
        assertThat(fx.dev.read("main", "apps/podinfo/deploy.yaml")).isEqualTo(GitRevertTest.deployment("podinfo:1.0"));
        assertThat(events("CheckFailed")).isNotEmpty().allSatisfy(e -> assertThat(e.getMessage())
                .contains("judge-score: score 0 (pass 95, marginal 75): Failed, a critical metric failed; request-duration (critical):")
                .contains("(98% CI +").endsWith("High"));
    }

    @Test
    void aCanaryAsFastAsThePrimaryIsPromoted() throws Exception {
        bootstrap();
        telemetry.serveVaried(fx.namespace, "podinfo", 100, PRIMARY_MEDIAN_MS, SPREAD);
        String good = release("podinfo:2.0", "podinfo 2.0");

        Rollout done = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Succeeded);

        assertThat(done.getStatus().getLastPromotedCommit()).isEqualTo(good);
        assertThat(image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(done.getStatus().getFailedChecks()).isZero();
        assertThat(done.getStatus().getMetrics()).filteredOn(m -> m.getName().equals("request-duration")).singleElement()
                .satisfies(m -> assertThat(m.getComparison().getClassification()).isEqualTo(Classification.Pass));
        assertThat(done.getStatus().getMetrics()).filteredOn(m -> m.getName().equals("judge-score")).singleElement()
                .satisfies(m -> assertThat(m.getValue()).isEqualTo(100.0));
        assertThat(fx.dev.log().get(0).name()).isEqualTo(good);
    }

    @Test
    void aCanaryAsFastAsItsBaselineIsPromotedComparedWithTheBaselineWhichIsGoneAfter() throws Exception {
        bootstrap(rollout().replace("    stepWeights: [10, 50]\n", "    stepWeights: [10, 50]\n    baseline: true\n"));
        // The primary is slower than both: only a comparison with the baseline promotes this canary.
        telemetry.serveVaried(fx.namespace, "podinfo-primary", 100, PRIMARY_MEDIAN_MS * 3 / 2, SPREAD);
        telemetry.serveVaried(fx.namespace, "podinfo-baseline", 100, PRIMARY_MEDIAN_MS, SPREAD);
        telemetry.serveVaried(fx.namespace, "podinfo", 100, PRIMARY_MEDIAN_MS, SPREAD);
        String good = release("podinfo:2.0", "podinfo 2.0");

        Deployment baseline = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-baseline").get(),
                        d -> d != null);
        assertThat(baseline.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("podinfo:1.0");
        Rollout done = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Succeeded);

        assertThat(done.getStatus().getLastPromotedCommit()).isEqualTo(good);
        assertThat(image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(done.getStatus().getMetrics()).filteredOn(m -> m.getName().equals("request-duration")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getComparison().getComparedWith()).isEqualTo("baseline");
                    assertThat(m.getComparison().getClassification()).isEqualTo(Classification.Pass);
                    assertThat(m.getMessage()).contains(" vs baseline ");
                });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-baseline").get()).isNull();
            assertThat(client.services().inNamespace(fx.namespace).withName("podinfo-baseline").get()).isNull();
        });
    }

    private void bootstrap() throws Exception {
        bootstrap(rollout());
    }

    /** Git declares podinfo:1.0 and {@code rollout}; Ramp has synced and bootstrapped it; the primary answers with varied latencies. */
    private void bootstrap(String rollout) throws Exception {
        telemetry.serveVaried(fx.namespace, "podinfo-primary", 100, PRIMARY_MEDIAN_MS, SPREAD);
        fx.dev.write("apps/podinfo/deploy.yaml", GitRevertTest.deployment("podinfo:1.0"))
                .write("apps/podinfo/rollout.yaml", rollout);
        fx.dev.commitAndPush("podinfo 1.0");
        fx.createSource("apps", "1h", source -> source.setServiceAccountName(fx.deployer()));
        awaitRollout(Duration.ofSeconds(60), r -> r.getStatus().getPhase() == Phase.Initialized);
        prometheus.awaitScrapes();
    }

    /** Commits a new image and lets the GitSource sync it at once, as a push webhook would. */
    private String release(String image, String message) throws Exception {
        fx.dev.write("apps/podinfo/deploy.yaml", GitRevertTest.deployment(image));
        String commit = fx.dev.commitAndPush(message);
        fx.requestSync();
        fx.awaitSource(Duration.ofSeconds(20), s -> commit.equals(s.getStatus().getLastAppliedCommit()));
        return commit;
    }

    private Rollout awaitRollout(Duration within, java.util.function.Predicate<Rollout> until) {
        return await().atMost(within).pollInterval(Duration.ofMillis(200))
                .until(() -> client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").get(),
                        r -> r != null && r.getStatus() != null && r.getStatus().getPhase() != null && until.test(r));
    }

    private java.util.List<Event> events(String reason) {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    private String image(String name) {
        Deployment d = client.apps().deployments().inNamespace(fx.namespace).withName(name).get();
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
