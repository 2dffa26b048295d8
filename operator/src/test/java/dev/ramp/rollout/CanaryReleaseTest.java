package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.Verdict;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Canary releases end to end against the real kube-apiserver and a real Prometheus scraping
 * Istio-shaped telemetry: what a user sees in the VirtualService, the Deployments and status.
 */
class CanaryReleaseTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();
    private final RampOperator operator = env.operator();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "canary");
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    private void bootstrap(List<Integer> steps, String interval) {
        fx.createTarget("podinfo:1.0");
        fx.createRollout(steps, interval, 2, "5s");
        Rollout initialized = fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(Conditions.isTrue(initialized.getStatus().getConditions(), "Ready")).isTrue();
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> fx.deployment("podinfo").getSpec().getReplicas() == 0);
        assertThat(fx.canaryWeight()).isZero();
        assertThat(client.services().inNamespace(fx.namespace).list().getItems())
                .extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("podinfo", "podinfo-primary", "podinfo-canary");
    }

    /** Two steps of 1 s and a 3 s progress deadline; the canary Deployment is never reported ready. */
    private void bootstrapWithADeadlineOf3sAndACanaryThatNeverBecomesReady() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        bootstrap(List.of(10, 50), "1s");
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo")
                .edit(r -> {
                    r.getSpec().setProgressDeadlineSeconds(3);
                    return r;
                });
        fx.kubelet.hold("podinfo");
    }

    @Test
    void aHealthyReleaseRampsThroughEveryStepAndIsPromoted() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        bootstrap(List.of(10, 30, 50), "2s");
        fx.watchWeights();

        fx.release("podinfo:2.0");
        Rollout done = fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertWeightsSeen(0, 10, 30, 50, 0);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        // Scaled to 0 once the route has had IdlePhase.CANARY_DRAIN to leave it.
        await().atMost(Duration.ofSeconds(15)).until(() -> fx.deployment("podinfo").getSpec().getReplicas() == 0);
        assertThat(done.getStatus().getLastPromotedRevision()).isEqualTo(done.getStatus().getLastAppliedRevision());
        assertThat(done.getStatus().getMetrics()).extracting(MetricStatus::getName)
                .containsExactly("canary-requests", "request-success-rate");
        assertThat(done.getStatus().getMetrics()).allSatisfy(m -> assertThat(m.getVerdict()).isEqualTo(Verdict.Passed));
        assertThat(done.getStatus().getMetrics().get(1).getValue()).isEqualTo(100.0);
        assertThat(Conditions.isTrue(done.getStatus().getConditions(), "Promoted")).isTrue();
        assertThat(reasons()).contains("ReleaseStarted", "StepAdvanced", "Promoting", "Promoted");
    }

    @Test
    void aFailingCanaryIsRolledBackWithinItsFirstStepNotAfterThresholdIntervals() {
        telemetry.serve(fx.namespace, "podinfo", 80, 20);
        bootstrap(List.of(10, 50), "20s");
        prometheus.awaitScrapes();
        fx.watchWeights();

        fx.release("podinfo:2.0-bad");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        // Checks run every 5s while the 20s step is held: both failed checks fell in the first step.
        assertWeightsSeen(0, 10, 0);
        assertThat(failed.getStatus().getFailedChecks()).isEqualTo(2);
        assertThat(events("StepAdvanced")).hasSize(1);
        assertThat(events("CheckFailed")).hasSize(2);
    }

    @Test
    void aFailingReleaseIsRolledBackWithTheMetricInStatus() {
        telemetry.serve(fx.namespace, "podinfo", 80, 20);
        bootstrap(List.of(10, 50), "1s");
        fx.watchWeights();

        fx.release("podinfo:2.0-bad");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        assertThat(fx.canaryWeight()).isZero();
        assertWeightsSeen(0, 10, 0);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> fx.deployment("podinfo").getSpec().getReplicas() == 0);
        assertThat(failed.getStatus().getFailedChecks()).isEqualTo(2);
        MetricStatus metric = failed.getStatus().getMetrics().get(1);
        assertThat(metric.getValue()).isEqualTo(80.0);
        assertThat(metric.getVerdict()).isEqualTo(Verdict.Failed);
        assertThat(failed.getStatus().getRollbackCause()).satisfies(cause -> {
            assertThat(cause.getReason()).isEqualTo("AnalysisFailed");
            assertThat(cause.getMetric()).isEqualTo("request-success-rate");
            assertThat(cause.getValue()).isEqualTo(80.0);
            assertThat(cause.getMin()).isEqualTo(99.0);
        });
        assertThat(metric.getMessage()).isEqualTo("80 is below the minimum 99");
        var promoted = Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow();
        assertThat(promoted.getStatus()).isEqualTo("False");
        assertThat(promoted.getReason()).isEqualTo("AnalysisFailed");
        assertThat(promoted.getMessage()).contains("request-success-rate: 80 is below the minimum 99");
        assertThat(events("RolledBack")).singleElement().satisfies(e -> assertThat(e.getMessage())
                .contains("request-success-rate: 80 is below the minimum 99"));

        // The failed revision is not retried, and nothing restarts while the template stays.
        String resourceVersion = fx.rollout().getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> fx.rollout().getStatus().getPhase() == Phase.Failed);
        assertThat(fx.rollout().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    }

    @Test
    void aCanaryWithoutDataIsHeldThenRolledBackAsInconclusiveNeverPromoted() {
        fx.withSample(null, 3);
        bootstrap(List.of(10, 50), "1s");
        fx.watchWeights();

        fx.release("podinfo:2.0-silent");
        Rollout failed = fx.awaitPhase(Phase.Failed, RELEASE);

        MetricStatus requests = failed.getStatus().getMetrics().get(0);
        assertThat(requests.getName()).isEqualTo("canary-requests");
        assertThat(requests.getVerdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(requests.getMessage()).startsWith("0 requests to revision " + failed.getStatus().getLastAppliedRevision())
                .contains("fewer than analysis.minRequests 20");
        assertThat(failed.getStatus().getMetrics().get(1).getMessage()).startsWith("no data");
        assertThat(failed.getStatus().getFailedChecks()).isZero();
        assertThat(failed.getStatus().getInconclusiveChecks()).isEqualTo(3);
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisInconclusive");
        assertWeightsSeen(0, 10, 0);
        assertThat(events("CheckInconclusive")).hasSize(3);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");
        assertThat(fx.canaryWeight()).isZero();
    }

    @Test
    void aCanaryThatNeverBecomesReadyIsRolledBackAtTheDeadline() {
        bootstrapWithADeadlineOf3sAndACanaryThatNeverBecomesReady();

        fx.release("podinfo:2.0-stuck");
        Rollout failed = fx.awaitPhase(Phase.Failed, Duration.ofSeconds(30));

        var promoted = Conditions.find(failed.getStatus().getConditions(), "Promoted").orElseThrow();
        assertThat(promoted.getReason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(promoted.getMessage()).contains("not ready within 3s");
        assertThat(fx.canaryWeight()).isZero();
    }

    @Test
    void aCanaryWhosePodCannotPullItsImageIsRolledBackWithoutBlamingTheCommit() {
        bootstrapWithADeadlineOf3sAndACanaryThatNeverBecomesReady();

        fx.release("podinfo:2.0-unpullable");
        await().atMost(Duration.ofSeconds(30)).until(() -> fx.rollout().getStatus().getPhase() == Phase.Progressing);
        String revision = fx.rollout().getStatus().getLastAppliedRevision();
        // The canary's pod as a kubelet reports it when the registry does not serve its image; the
        // pass at the deadline finds it in Ramp's cache of pods, by namespace and revision.
        Pod pod = client.pods().inNamespace(fx.namespace).resource(new PodBuilder().withNewMetadata().withName("podinfo-7f9c")
                .addToLabels("app", "podinfo").addToLabels(RampLabels.REVISION, revision).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("podinfo:2.0-unpullable").endContainer().endSpec()
                .build()).create();
        pod.setStatus(new PodStatusBuilder().addNewContainerStatus().withName("app").withImage("podinfo:2.0-unpullable")
                .withReady(false).withRestartCount(0).withImageID("").withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image").endWaiting().endState().endContainerStatus().build());
        client.pods().inNamespace(fx.namespace).resource(pod).updateStatus();
        Rollout failed = fx.awaitPhase(Phase.Failed, Duration.ofSeconds(30));

        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("ImageNotPulled");
        assertThat(failed.getStatus().getRollbackCause().getMessage())
                .contains("pod podinfo-7f9c: image podinfo:2.0-unpullable not pulled (ImagePullBackOff)");
        assertThat(fx.canaryWeight()).isZero();
    }

    @Test
    void aNewRevisionMidReleaseRestartsFromTheFirstStep() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        bootstrap(List.of(10, 30, 50), "2s");
        fx.watchWeights();

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> Integer.valueOf(30).equals(fx.canaryWeight()));
        String first = fx.rollout().getStatus().getLastAppliedRevision();
        fx.release("podinfo:3.0");
        Rollout done = fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertWeightsSeen(0, 10, 30, 0, 10, 30, 50, 0);
        assertThat(done.getStatus().getLastPromotedRevision()).isNotEqualTo(first);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:3.0");
        assertThat(reasons()).contains("ReleaseRestarted");
    }

    @Test
    void anOperatorRestartMidReleaseContinuesAtTheSameStep() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        bootstrap(List.of(10, 30, 50), "3s");
        fx.watchWeights();

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> Integer.valueOf(30).equals(fx.canaryWeight()));
        operator.stop();
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> Integer.valueOf(30).equals(fx.canaryWeight()));
        operator.start();
        fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertWeightsSeen(0, 10, 30, 50, 0);
        assertThat(events("StepAdvanced")).hasSize(3);
    }

    @Test
    void aBaselineTakesTheCanarysWeightInTheVirtualServiceAndIsGoneAfterThePromotion() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        dev.ramp.api.MetricCheck latency = new dev.ramp.api.MetricCheck();
        latency.setName("request-duration");
        dev.ramp.api.CompareSpec compare = new dev.ramp.api.CompareSpec();
        compare.setDirection(dev.ramp.api.Direction.Increase);
        latency.setCompare(compare);
        fx.createTarget("podinfo:1.0");
        fx.createRollout(List.of(10, 40), "3s", 2, List.of(latency));
        // The steps alone are under test here: no judge, each step lasts its interval. A merge patch,
        // as kubectl's: the operator may write the status meanwhile, which an edit would conflict with.
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"spec\":{\"analysis\":{\"baseline\":true,\"skipAnalysis\":true}}}");
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));

        fx.release("podinfo:2.0");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(this::destinations, d -> d.equals("podinfo-primary=80,podinfo-canary=10,podinfo-baseline=10"));
        assertThat(fx.image("podinfo-baseline")).isEqualTo("podinfo:1.0");
        assertThat(client.services().inNamespace(fx.namespace).withName("podinfo-baseline").get().getSpec().getSelector())
                .isEqualTo(java.util.Map.of("app", "podinfo-baseline"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(this::destinations, d -> d.equals("podinfo-primary=20,podinfo-canary=40,podinfo-baseline=40"));
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        assertThat(destinations()).isEqualTo("podinfo-primary=100,podinfo-canary=0");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-baseline").get()).isNull();
            assertThat(client.services().inNamespace(fx.namespace).withName("podinfo-baseline").get()).isNull();
        });
    }

    /** The destinations of the VirtualService's default route now, host=weight in order. */
    private String destinations() {
        var vs = client.resources(io.fabric8.istio.api.networking.v1.VirtualService.class).inNamespace(fx.namespace)
                .withName("podinfo").get();
        return vs == null ? "" : vs.getSpec().getHttp().stream().filter(r -> "primary".equals(r.getName())).findFirst()
                .map(r -> r.getRoute().stream().map(d -> d.getDestination().getHost() + "=" + d.getWeight())
                        .collect(java.util.stream.Collectors.joining(","))).orElse("");
    }

    /** The weights someone watching the VirtualService saw, in order. */
    private void assertWeightsSeen(Integer... weights) {
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(fx.observedWeights()).containsExactly(weights));
    }

    private List<String> reasons() {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream().map(Event::getReason).toList();
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }
}
