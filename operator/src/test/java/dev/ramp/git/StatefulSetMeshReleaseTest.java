package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.istio.api.networking.v1.VirtualService;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeStatefulSetController;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A StatefulSet released by its partition behind Istio (docs/statefulsets.md#behind-a-router),
 * declared in Git as docs/examples/statefulset-istio.yaml and synced by a GitSource, against a real
 * API server with Istio's CRDs, where {@link FakeStatefulSetController} stands in for the
 * StatefulSet controller and the kubelet. What a user sees: the VirtualService's weights at each
 * step, the selectors of the Services ledger-primary and ledger-canary, the partitions, the
 * revision each pod runs, and the revert commit in Git.
 */
class StatefulSetMeshReleaseTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);
    private static final String FILE = "apps/ledger/ledger.yaml";
    /**
     * This cluster has no Prometheus series of the app's: the check asks the operator's Prometheus a
     * query that selects the release's revision and answers 100 (the analysis itself is the same as a
     * Deployment's, covered with real telemetry elsewhere).
     */
    private static final String PASSES = """

            apiVersion: ramp.dev/v1alpha1
            kind: MetricTemplate
            metadata:
              name: ledger-passes
            spec:
              provider: {type: prometheus}
              query: 100 + 0 * absent(http_requests_total{controller_revision_hash="{{ revision }}"})
            """;

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private static GitHttpServer server;

    private final KubernetesClient client = env.client();

    private GitFixture fx;
    private FakeStatefulSetController controller;
    private Watch watch;
    private final List<Integer> partitions = Collections.synchronizedList(new ArrayList<>());
    private final List<String> weights = Collections.synchronizedList(new ArrayList<>());
    private Watch routeWatch;

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
        env.operator();
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("sts"));
        controller = new FakeStatefulSetController(client, fx.namespace);
    }

    @AfterEach
    void cleanUp() {
        if (watch != null) {
            watch.close();
        }
        if (routeWatch != null) {
            routeWatch.close();
        }
        controller.close();
        fx.close();
    }

    /**
     * The example's documents: the Service and the StatefulSet of {@code image} in one file, the
     * MetricTemplates and the Rollout in another, the Rollout's interval 1 s and its deadline 15 s,
     * its success rate asked of {@link #PASSES} with no minimum sample.
     */
    private static Map<String, String> example(String image) throws Exception {
        String yaml = Files.readString(TestCluster.repoRoot().resolve("docs/examples/statefulset-istio.yaml"));
        List<String> docs = List.of(yaml.split("(?m)^---$"));
        String workload = docs.stream().filter(d -> d.contains("kind: Service\n") || d.contains("kind: StatefulSet\n"))
                .collect(Collectors.joining("---"))
                .replace("registry.example.com/ledger:1.0", image);
        String rollout = docs.stream().filter(d -> d.contains("kind: Rollout\n")).findFirst().orElseThrow()
                .replace("interval: 30s", "interval: 1s")
                .replace("progressDeadlineSeconds: 300", "progressDeadlineSeconds: 15")
                .replace("minRequests: 20", "minRequests: 0")
                .replace("    requestsTemplateRef: {name: ledger-requests}\n", "")
                .replace("templateRef: {name: ledger-success-rate}", "templateRef: {name: ledger-passes}");
        assertThat(rollout).contains("kind: StatefulSet", "ledger-passes").doesNotContain("ledger-requests");
        return Map.of(FILE, workload, "apps/ledger/rollout.yaml", rollout + "---" + PASSES);
    }

    private void write(Map<String, String> files) throws Exception {
        for (Map.Entry<String, String> file : files.entrySet()) {
            fx.dev.write(file.getKey(), file.getValue());
        }
    }

    /** Git declares ledger:1.0; the GitSource applied it and Ramp holds the partition at 4. */
    private String bootstrap() throws Exception {
        write(example("registry.example.com/ledger:1.0"));
        String first = fx.dev.commitAndPush("ledger 1.0");
        String deployer = fx.deployer();
        allowStatefulSets(deployer);
        fx.createSource("apps", "1h", source -> source.setServiceAccountName(deployer));
        Rollout initialized = awaitRollout(Duration.ofSeconds(60), r -> r.getStatus().getPhase() == Phase.Initialized);
        assertThat(initialized.getStatus().getLastPromotedCommit()).isEqualTo(first);
        await().atMost(Duration.ofSeconds(30)).until(() -> partition() == 4 && allOn(initialized.getStatus().getLastPromotedRevision()));
        watch = client.apps().statefulSets().inNamespace(fx.namespace).withName("ledger").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, StatefulSet set) {
                Integer p = set.getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
                if (partitions.isEmpty() || !Objects.equals(partitions.get(partitions.size() - 1), p)) {
                    partitions.add(p);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> "ledger-primary=100,ledger-canary=0".equals(destinations()));
        routeWatch = client.resources(VirtualService.class).inNamespace(fx.namespace).withName("ledger").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, VirtualService route) {
                String split = destinations(route);
                if (weights.isEmpty() || !weights.get(weights.size() - 1).equals(split)) {
                    weights.add(split);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        return first;
    }

    /** The deployer may also write what this example holds besides the rest: StatefulSets and Services. */
    private void allowStatefulSets(String deployer) {
        String name = deployer + "-statefulsets";
        client.resource(new RoleBuilder().withNewMetadata().withName(name).withNamespace(fx.namespace).endMetadata()
                .addNewRule().withApiGroups("", "apps").withResources("services", "statefulsets")
                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").endRule().build()).create();
        client.resource(new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(fx.namespace).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(deployer).withNamespace(fx.namespace).endSubject().build()).create();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> Boolean.TRUE.equals(
                client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder().withNewSpec()
                        .withUser(ApplyIdentity.username(fx.namespace, deployer)).withNewResourceAttributes()
                        .withVerb("patch").withGroup("apps").withResource("statefulsets").withNamespace(fx.namespace)
                        .endResourceAttributes().endSpec().build()).getStatus().getAllowed()));
    }

    private String release(String image, String message) throws Exception {
        write(example(image));
        String commit = fx.dev.commitAndPush(message);
        fx.requestSync();
        fx.awaitSource(Duration.ofSeconds(20), s -> commit.equals(s.getStatus().getLastAppliedCommit()));
        return commit;
    }

    @Test
    void aGoodReleaseMovesTheRoutesWeightsWithThePodsAndThePrimarysSelectorFollowsThePromotion() throws Exception {
        bootstrap();
        String promoted = rollout().getStatus().getLastPromotedRevision();
        assertThat(selector("ledger-primary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", promoted));

        release("registry.example.com/ledger:2.0", "ledger 2.0");
        String revision = awaitRollout(Duration.ofSeconds(20), r -> r.getStatus().getPhase() == Phase.Progressing)
                .getStatus().getLastAppliedRevision();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(selector("ledger-canary"))
                .isEqualTo(Map.of("app", "ledger", "controller-revision-hash", revision)));
        Rollout done = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Succeeded);

        // Steps 10 and 50 of 4 pods: ordinal 3 takes 10% of the requests (a mesh splits by request, not
        // by pod), ordinals 2 and 3 half; the promotion gives the canary's Service everything while
        // ordinals 0 and 1 move, then the primary's Service, now selecting the revision, all of it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights).containsExactly(
                "ledger-primary=100,ledger-canary=0", "ledger-primary=90,ledger-canary=10", "ledger-primary=50,ledger-canary=50",
                "ledger-primary=0,ledger-canary=100", "ledger-primary=100,ledger-canary=0"));
        assertThat(partitions).containsSubsequence(4, 3, 2, 0, 4);
        assertThat(done.getStatus().getLastPromotedRevision()).isEqualTo(revision);
        assertThat(selector("ledger-primary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", revision));
        assertThat(selector("ledger-canary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", revision));
        assertThat(client.services().inNamespace(fx.namespace).withName("ledger").get().getSpec().getSelector())
                .as("the clients' Service is the user's, left as Git declares it").isEqualTo(Map.of("app", "ledger"));
        await().atMost(Duration.ofSeconds(10)).until(() -> partition() == 4);
        assertThat(allOn(revision)).isTrue();
        assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                .filteredOn(e -> "StepAdvanced".equals(e.getReason())).extracting(e -> e.getMessage())
                .anySatisfy(m -> assertThat(m).startsWith("Step 1 of 2: canary weight 10% (StatefulSet: partition 3, 1 of 4 pod on"
                        + " revision " + revision + ", the route gives Service ledger-canary 10% once they are ready)"));
    }

    @Test
    void aBadReleaseNeverReachesTheRouteAndIsRolledBackWithTheSelectorsOnTheirRevisions() throws Exception {
        bootstrap();
        String promoted = rollout().getStatus().getLastPromotedRevision();
        // The new version's pods never become ready.
        controller.breaks("registry.example.com/ledger:2.0-bad");
        String bad = release("registry.example.com/ledger:2.0-bad", "ledger 2.0-bad");

        Rollout reverted = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Failed
                && Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));
        assertThat(reverted.getStatus().getRollbackCause().getReason()).isEqualTo(RollbackCause.PROGRESS_DEADLINE_EXCEEDED);
        String failed = reverted.getStatus().getLastAppliedRevision();
        assertThat(failed).isNotEqualTo(promoted);
        assertThat(weights).as("ordinal 3 never became ready: the canary's Service was never given a request")
                .containsOnly("ledger-primary=100,ledger-canary=0");
        assertThat(selector("ledger-primary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", promoted));
        assertThat(selector("ledger-canary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", failed));

        await().atMost(Duration.ofSeconds(30)).until(() -> allOn(promoted) && partition() == 4);
        assertThat(fx.dev.read("main", FILE)).contains("registry.example.com/ledger:1.0").doesNotContain("2.0-bad");
        assertThat(fx.dev.log().get(1).name()).isEqualTo(bad);
        assertThat(destinations()).isEqualTo("ledger-primary=100,ledger-canary=0");
    }

    /** The selector of Service {@code name}. */
    private Map<String, String> selector(String name) {
        var service = client.services().inNamespace(fx.namespace).withName(name).get();
        return service == null ? Map.of() : service.getSpec().getSelector();
    }

    /** The destinations of the VirtualService's default route now, host=weight in order. */
    private String destinations() {
        VirtualService route = client.resources(VirtualService.class).inNamespace(fx.namespace).withName("ledger").get();
        return route == null ? "" : destinations(route);
    }

    private static String destinations(VirtualService route) {
        return route.getSpec().getHttp().stream().filter(r -> "primary".equals(r.getName())).findFirst()
                .map(r -> r.getRoute().stream().map(d -> d.getDestination().getHost() + "=" + d.getWeight())
                        .collect(Collectors.joining(","))).orElse("");
    }

    private StatefulSet statefulSet() {
        return client.apps().statefulSets().inNamespace(fx.namespace).withName("ledger").get();
    }

    private int partition() {
        var strategy = statefulSet().getSpec().getUpdateStrategy();
        return strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getPartition() == null ? 0
                : strategy.getRollingUpdate().getPartition();
    }

    private List<Pod> pods() {
        return client.pods().inNamespace(fx.namespace).withLabel("app", "ledger").list().getItems();
    }

    /** Every one of the 4 ordinals runs {@code revision} and is ready. */
    private boolean allOn(String revision) {
        List<Pod> pods = pods();
        return pods.size() == 4 && pods.stream().allMatch(p -> revision.equals(FakeStatefulSetController.revisionOf(p))
                && FakeStatefulSetController.ready(p));
    }

    private Rollout rollout() {
        return client.resources(Rollout.class).inNamespace(fx.namespace).withName("ledger").get();
    }

    private Rollout awaitRollout(Duration within, Predicate<Rollout> until) {
        try {
            return await().atMost(within).pollInterval(Duration.ofMillis(200))
                    .until(this::rollout, r -> r != null && r.getStatus() != null && r.getStatus().getPhase() != null && until.test(r));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the Rollout did not get there within " + within + "; it is " + described(), e);
        }
    }

    /** The Rollout's phase and conditions and the StatefulSet's status, for a failure's message. */
    private String described() {
        Rollout r = rollout();
        StatefulSet set = statefulSet();
        return (r == null || r.getStatus() == null ? "absent" : r.getStatus().getPhase() + " " + r.getStatus().getConditions().stream()
                .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason() + ": " + c.getMessage()).toList())
                + "; StatefulSet " + (set == null ? "absent" : set.getSpec().getUpdateStrategy() + " " + set.getStatus());
    }
}
