package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingCondition;
import dev.ramp.api.Verdict;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.AppTelemetry;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary without a mesh ({@code service.provider: None}) against a real kube-apiserver with
 * neither Istio's nor the Gateway API's CRDs, and a real Prometheus scraping the app's own
 * request metrics ({@link AppTelemetry}: requests to the Service spread over the ready pods it
 * selects, as kube-proxy spreads them). The Rollout is docs/examples/no-mesh.yaml, applied as a
 * user would, with a shorter interval. What a user sees: the Service's selector, the pod counts of
 * the primary and the canary, the weight achieved in status, and the conditions.
 */
class NoMeshReleaseTest {

    private static final Duration RELEASE = Duration.ofSeconds(120);
    private static final Map<String, String> PRIMARY = Map.of("app", "shop-primary");
    private static final Map<String, String> BOTH = Map.of("ramp.dev/service", "shop");

    private static TestCluster cluster;
    private static KubernetesClient client;
    private static AppTelemetry app;
    private static TestPrometheus prometheus;
    private static RampOperator operator;

    private String namespace;
    private FakeKubelet kubelet;
    private final List<Watch> watches = new ArrayList<>();
    private final List<Integer> weights = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> canaryPods = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> primaryPods = Collections.synchronizedList(new ArrayList<>());
    private final List<Map<String, String>> selectors = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.withoutIstio();
        client = cluster.client();
        app = new AppTelemetry(client);
        prometheus = new TestPrometheus(app.target());
        operator = new RampOperator(client, prometheus.address()).start();
    }

    @AfterAll
    static void stop() {
        operator.close();
        prometheus.close();
        app.close();
        cluster.close();
    }

    @BeforeEach
    void namespace() {
        namespace = cluster.newNamespace("no-mesh");
        kubelet = new FakeKubelet(client, namespace);
        app.call(namespace, "shop");
    }

    @AfterEach
    void cleanUp() {
        watches.forEach(Watch::close);
        kubelet.close();
    }

    /** docs/examples/no-mesh.yaml in the test's namespace, its interval 2s and its metric's window 5s so a release takes seconds. */
    private void applyExample(Consumer<Deployment> target) throws Exception {
        applyExample(target, r -> { });
    }

    private void applyExample(Consumer<Deployment> target, Consumer<Rollout> rollout) throws Exception {
        String yaml = Files.readString(TestCluster.repoRoot().resolve("docs/examples/no-mesh.yaml"));
        for (String doc : yaml.split("(?m)^---$")) {
            String kind = Serialization.unmarshal(doc, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class).getKind();
            switch (kind) {
                case "Deployment" -> {
                    Deployment d = Serialization.unmarshal(doc, Deployment.class);
                    target.accept(d);
                    client.resource(d).inNamespace(namespace).create();
                }
                case "MetricTemplate" -> client.resource(Serialization.unmarshal(doc, MetricTemplate.class)).inNamespace(namespace).create();
                case "Rollout" -> {
                    Rollout r = Serialization.unmarshal(doc, Rollout.class);
                    r.getSpec().getAnalysis().setInterval("2s");
                    r.getSpec().getAnalysis().getMetrics().forEach(m -> m.setInterval("5s"));
                    rollout.accept(r);
                    client.resource(r).inNamespace(namespace).create();
                }
                default -> throw new IllegalStateException("unexpected kind " + kind + " in docs/examples/no-mesh.yaml");
            }
        }
    }

    private void bootstrap() throws Exception {
        bootstrap(r -> { });
    }

    private void bootstrap(Consumer<Rollout> rollout) throws Exception {
        applyExample(d -> { }, rollout);
        Rollout initialized = awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(Conditions.isTrue(initialized.getStatus().getConditions(), "Ready")).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas("shop") == 0 && selector().equals(PRIMARY));
        assertThat(replicas("shop-primary")).isEqualTo(4);
        prometheus.awaitScrapes();
        record();
    }

    @Test
    void aHealthyReleaseTakesItsShareByPodsBesideTheWholePrimaryAndIsPromoted() throws Exception {
        assertThat(operator.unhealthyEventSources()).as("ready without Istio or the Gateway API").isEmpty();
        bootstrap();

        release("registry.example.com/shop:2.0");
        Rollout done = awaitPhase(Phase.Succeeded, RELEASE);

        // Steps 20 and 50: 1 canary pod beside 4 (20%), then 2, all maxSurge 50% allows (33%).
        assertThat(distinct(weights)).containsSubsequence(20, 33, 0);
        assertThat(distinct(canaryPods)).containsSubsequence(1, 2);
        assertThat(distinct(selectors)).containsSubsequence(PRIMARY, BOTH, PRIMARY);
        assertThat(primaryPods).as("the primary is never scaled for the split").containsOnly(4);
        assertThat(image("shop-primary")).isEqualTo("registry.example.com/shop:2.0");
        await().atMost(Duration.ofSeconds(15)).until(() -> replicas("shop") == 0);
        assertThat(done.getStatus().getMetrics()).extracting(MetricStatus::getName).containsExactly("canary-requests", "success-rate");
        assertThat(done.getStatus().getMetrics()).allSatisfy(m -> assertThat(m.getVerdict()).isEqualTo(Verdict.Passed));
        assertThat(Conditions.isTrue(done.getStatus().getConditions(), "Promoted")).isTrue();
        assertThat(client.v1().events().inNamespace(namespace).list().getItems())
                .filteredOn(e -> "StepAdvanced".equals(e.getReason())).extracting(e -> e.getMessage())
                .contains("Step 2 of 2: canary weight 50% (without a mesh: 2 canary pods beside 4 of the primary, 33% of the traffic)");
        // The canary's pods took requests through the Service, and none failed.
        assertThat(app.served(namespace, done.getStatus().getLastAppliedRevision(), false)).isPositive();
        assertThat(app.served(namespace, done.getStatus().getLastAppliedRevision(), true)).isZero();
    }

    @Test
    void aFailingCanaryIsRolledBackAndTheServiceLeavesItBeforeTheStatusSaysFailed() throws Exception {
        app.answer("registry.example.com/shop:2.0-bad", 80);
        bootstrap();

        release("registry.example.com/shop:2.0-bad");
        Rollout failed = awaitPhase(Phase.Failed, RELEASE);

        // The selector was written before the Failed status: once the status says so, it already holds.
        assertThat(selector()).isEqualTo(PRIMARY);
        assertThat(failed.getStatus().getCanaryWeight()).isZero();
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisFailed");
        assertThat(failed.getStatus().getRollbackCause().getMetric()).isEqualTo("success-rate");
        assertThat(failed.getStatus().getRollbackCause().getValue()).isLessThan(99.0);
        assertThat(distinct(selectors)).containsSubsequence(PRIMARY, BOTH, PRIMARY);
        // Every pod back on the primary's revision: the canary at 0 once IdlePhase.CANARY_DRAIN has passed.
        await().atMost(Duration.ofSeconds(15)).until(() -> replicas("shop") == 0);
        assertThat(primaryPods).containsOnly(4);
        assertThat(image("shop-primary")).isEqualTo("registry.example.com/shop:1.0");
        String revision = failed.getStatus().getLastAppliedRevision();
        long failedRequests = app.served(namespace, revision, true);
        assertThat(failedRequests).isPositive();
        // No request reaches the rolled back revision any more.
        prometheus.awaitScrapes();
        assertThat(app.served(namespace, revision, true)).isEqualTo(failedRequests);
    }

    @Test
    void aBlueGreenReleaseRunsTheCanaryAtThePrimarysSizeAndSwitchesTheServiceToItAtOnce() throws Exception {
        bootstrap(r -> {
            r.getSpec().setStrategy(dev.ramp.api.Strategy.BlueGreen);
            r.getSpec().getAnalysis().setStepWeights(null);
            r.getSpec().getAnalysis().setIterations(2);
            r.getSpec().getAnalysis().setSkipAnalysis(true);
        });

        release("registry.example.com/shop:2.0");
        awaitPhase(Phase.Succeeded, RELEASE);

        // Checked with no live traffic beside the primary, then the Service on the canary alone, then on the promoted primary.
        assertThat(distinct(selectors)).containsSubsequence(PRIMARY, Map.of("app", "shop"), PRIMARY).doesNotContain(BOTH);
        assertThat(distinct(canaryPods)).contains(4);
        assertThat(distinct(weights)).containsSubsequence(100, 0);
        assertThat(primaryPods).containsOnly(4);
        assertThat(image("shop-primary")).isEqualTo("registry.example.com/shop:2.0");
        await().atMost(Duration.ofSeconds(15)).until(() -> replicas("shop") == 0);
    }

    @Test
    void aTargetThatAllowsNoSurgeIsHeldWithAConditionNamingItsStrategy() throws Exception {
        applyExample(d -> d.getSpec().setStrategy(new DeploymentStrategyBuilder().withType("Recreate").build()));

        Condition held = await().atMost(Duration.ofSeconds(30)).until(() -> condition(RoutingCondition.TYPE),
                c -> c != null && RoutingCondition.REFUSED.equals(c.getReason()));

        assertThat(held.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(held.getMessage()).contains("Deployment shop spec.strategy: Recreate allows no pod above the primary's");
        assertThat(client.apps().deployments().inNamespace(namespace).withName("shop-primary").get()).isNull();
    }

    @Test
    void builtInMetricsWithoutAMeshAreInvalidAndNameTheTemplateToUse() throws Exception {
        applyExample(d -> { });
        awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        client.resources(Rollout.class).inNamespace(namespace).withName("shop").edit(r -> {
            MetricCheck builtin = new MetricCheck();
            builtin.setName("request-success-rate");
            builtin.setThresholdRange(new dev.ramp.api.ThresholdRange(99.0, null));
            r.getSpec().getAnalysis().setMetrics(List.of(builtin));
            return r;
        });

        release("registry.example.com/shop:2.0");

        Condition analysis = await().atMost(Duration.ofSeconds(30)).until(() -> condition("Analysis"),
                c -> c != null && "InvalidMetric".equals(c.getReason()));
        assertThat(analysis.getMessage()).contains("request-success-rate: a built-in metric, and with spec.service.provider None"
                + " no mesh or proxy sees the requests");
        assertThat(rollout().getStatus().getPhase()).isEqualTo(Phase.Progressing);
    }

    private void record() {
        watches.add(client.resources(Rollout.class).inNamespace(namespace).withName("shop")
                .watch(recorder(r -> r.getStatus() == null ? null : r.getStatus().getCanaryWeight(), weights)));
        watches.add(client.apps().deployments().inNamespace(namespace).withName("shop")
                .watch(recorder(d -> d.getSpec().getReplicas(), canaryPods)));
        watches.add(client.apps().deployments().inNamespace(namespace).withName("shop-primary")
                .watch(recorder(d -> d.getSpec().getReplicas(), primaryPods)));
        watches.add(client.services().inNamespace(namespace).withName("shop")
                .watch(recorder((Service s) -> s.getSpec().getSelector(), selectors)));
        primaryPods.add(replicas("shop-primary"));
        selectors.add(selector());
    }

    private static <T, V> Watcher<T> recorder(Function<T, V> value, List<V> seen) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                V v = value.apply(resource);
                if (v != null) {
                    seen.add(v);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    private static <V> List<V> distinct(List<V> seen) {
        List<V> out = new ArrayList<>();
        synchronized (seen) {
            for (V v : seen) {
                if (out.isEmpty() || !Objects.equals(out.get(out.size() - 1), v)) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    private void release(String image) {
        CanaryFixture.release(client, namespace, "shop", image);
    }

    private Rollout rollout() {
        return client.resources(Rollout.class).inNamespace(namespace).withName("shop").get();
    }

    private Rollout awaitPhase(Phase phase, Duration within) {
        return await().atMost(within).pollInterval(Duration.ofMillis(200))
                .until(this::rollout, r -> r != null && r.getStatus() != null && r.getStatus().getPhase() == phase);
    }

    private Condition condition(String type) {
        Rollout r = rollout();
        return r == null || r.getStatus() == null ? null : Conditions.find(r.getStatus().getConditions(), type).orElse(null);
    }

    private int replicas(String deployment) {
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
        return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
    }

    private Map<String, String> selector() {
        Service s = client.services().inNamespace(namespace).withName("shop").get();
        return s == null ? Map.of() : s.getSpec().getSelector();
    }

    private String image(String deployment) {
        return client.apps().deployments().inNamespace(namespace).withName(deployment).get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
