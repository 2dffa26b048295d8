package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the StatefulSet release tests share: a StatefulSet declared in Git as one of the
 * docs/examples (its Service and StatefulSet in one file, its MetricTemplates and Rollout in
 * another) and synced by a GitSource, against a real API server where
 * {@link FakeStatefulSetController} stands in for the StatefulSet controller and the kubelet; the
 * partitions Ramp sets, watched from the bootstrap on, and what the pods, claims and Rollout show.
 */
abstract class StatefulSetGitTest {

    static final Duration RELEASE = Duration.ofSeconds(90);
    static final String FILE = "apps/ledger/ledger.yaml";
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

    final KubernetesClient client = env.client();

    GitFixture fx;
    FakeStatefulSetController controller;
    private Watch watch;
    final List<Integer> partitions = Collections.synchronizedList(new ArrayList<>());

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

    /** The example the test applies, e.g. {@code docs/examples/statefulset.yaml}. */
    abstract String example();

    /** After the bootstrap, before any release: what a test watches besides the partitions. */
    void bootstrapped() {
    }

    /** What {@link #bootstrapped} opened, closed after each test. */
    void closeWatches() {
    }

    @AfterEach
    void cleanUp() {
        closeWatches();
        if (watch != null) {
            watch.close();
        }
        controller.close();
        fx.close();
    }

    /**
     * The example's documents: the Service and the StatefulSet of {@code image} in one file, the
     * MetricTemplates and the Rollout in another, the Rollout's interval 1 s and its deadline 15 s,
     * its success rate asked of {@link #PASSES} with no minimum sample.
     */
    private Map<String, String> example(String image) throws Exception {
        String yaml = Files.readString(TestCluster.repoRoot().resolve(example()));
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
    String bootstrap() throws Exception {
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
        bootstrapped();
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

    String release(String image, String message) throws Exception {
        write(example(image));
        String commit = fx.dev.commitAndPush(message);
        fx.requestSync();
        fx.awaitSource(Duration.ofSeconds(20), s -> commit.equals(s.getStatus().getLastAppliedCommit()));
        return commit;
    }

    StatefulSet statefulSet() {
        return client.apps().statefulSets().inNamespace(fx.namespace).withName("ledger").get();
    }

    int partition() {
        var strategy = statefulSet().getSpec().getUpdateStrategy();
        return strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getPartition() == null ? 0
                : strategy.getRollingUpdate().getPartition();
    }

    List<Pod> pods() {
        return client.pods().inNamespace(fx.namespace).withLabel("app", "ledger").list().getItems();
    }

    /** Every one of the 4 ordinals runs {@code revision} and is ready. */
    boolean allOn(String revision) {
        List<Pod> pods = pods();
        return pods.size() == 4 && pods.stream().allMatch(p -> revision.equals(FakeStatefulSetController.revisionOf(p))
                && FakeStatefulSetController.ready(p));
    }

    /** Each volume claim's name and uid. */
    Map<String, String> claims() {
        return client.persistentVolumeClaims().inNamespace(fx.namespace).list().getItems().stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c.getMetadata().getUid()));
    }

    Rollout rollout() {
        return client.resources(Rollout.class).inNamespace(fx.namespace).withName("ledger").get();
    }

    Rollout awaitRollout(Duration within, Predicate<Rollout> until) {
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
