package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitAuthor;
import dev.ramp.api.GitRevertReasons;
import dev.ramp.api.GitRevertSpec;
import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.LocalObjectRef;
import dev.ramp.api.RampLabels;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.testing.LoopbackEgress;
import dev.ramp.api.GitSource;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.GitHttpServer;
import dev.ramp.testing.GitWorkspace;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestPrometheus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A release declared in Git fails its analysis (a real Prometheus sees an 80% success rate) and
 * Ramp reverts it in Git: the commit that appears on the server, what the cluster runs after it
 * syncs back, and what happens when the branch moves or the revert conflicts.
 */
class GitRevertTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private static GitHttpServer server;

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final TestPrometheus prometheus = env.prometheus();
    private final RampOperator operator = env.operator();

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
        fx = new GitFixture(client, server, TestCluster.get().newNamespace("revert"));
        kubelet = new FakeKubelet(client, fx.namespace);
    }

    @AfterEach
    void cleanUp() {
        kubelet.close();
        fx.close();
    }

    static String deployment(String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: podinfo
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: podinfo}
                  template:
                    metadata:
                      labels: {app: podinfo}
                    spec:
                      containers:
                        - name: podinfo
                          image: %s
                          ports: [{containerPort: 9898}]
                """.formatted(image);
    }

    static String rollout(String mode) {
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
                    interval: 1s
                    threshold: 2
                    stepWeights: [10, 50]
                    metrics:
                      - name: request-success-rate
                        thresholdRange: {min: 99}
                        interval: 5s
                  gitRevert: {enabled: true, sourceRef: {name: apps}, mode: %s}
                """.formatted(mode);
    }

    /** Git declares podinfo:1.0 and its Rollout; Ramp has synced and bootstrapped it. */
    private String bootstrap(String mode) throws Exception {
        telemetry.serve(fx.namespace, "podinfo", 80.0, 20);
        fx.dev.write("apps/podinfo/deploy.yaml", deployment("podinfo:1.0"))
                .write("apps/podinfo/rollout.yaml", rollout(mode))
                .write("apps/other/config.yaml", GitFixture.configMap("other", "unrelated"));
        String first = fx.dev.commitAndPush("podinfo 1.0");
        // A Rollout in Git needs a ServiceAccount that may write it: Ramp itself writes no Ramp object.
        fx.createSource("apps", "1h", source -> source.setServiceAccountName(fx.deployer()));
        fx.client.resources(GitSource.class).inNamespace(fx.namespace).withName("apps").edit(s -> {
            GitAuthor author = new GitAuthor();
            author.setName("Ramp Bot");
            author.setEmail("ramp@example.com");
            s.getSpec().setRevertAuthor(author);
            return s;
        });
        Rollout initialized = awaitRollout(Duration.ofSeconds(60), r -> r.getStatus().getPhase() == Phase.Initialized);
        assertThat(initialized.getStatus().getLastPromotedCommit()).isEqualTo(first);
        assertThat(image("podinfo-primary")).isEqualTo("podinfo:1.0");
        // The canary's telemetry must be in Prometheus before the release, or its checks see no data.
        prometheus.awaitScrapes();
        return first;
    }

    /** Commits a new image and lets the GitSource sync it at once, as a push webhook would. */
    private String release(String image, String message) throws Exception {
        fx.dev.write("apps/podinfo/deploy.yaml", deployment(image));
        String commit = fx.dev.commitAndPush(message);
        syncNow();
        fx.awaitSource(Duration.ofSeconds(20), s -> commit.equals(s.getStatus().getLastAppliedCommit()));
        return commit;
    }

    private void syncNow() {
        fx.requestSync();
    }

    @Test
    void aReleaseRolledBackForWantOfEvidenceIsNotRevertedInGit() throws Exception {
        bootstrap("Push");
        // The new version's pods answer nothing: no check ever reaches a verdict.
        telemetry.silence(fx.namespace, "podinfo");
        String unjudged = release("podinfo:2.0", "podinfo 2.0");

        Rollout failed = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Failed
                && Conditions.find(r.getStatus().getConditions(), "GitReverted").isPresent());
        assertThat(failed.getStatus().getRollbackCause().getReason()).isEqualTo("AnalysisInconclusive");
        assertThat(failed.getStatus().getFailedChecks()).isZero();
        var gitReverted = Conditions.find(failed.getStatus().getConditions(), "GitReverted").orElseThrow();
        assertThat(gitReverted.getStatus()).isEqualTo("False");
        assertThat(gitReverted.getReason()).isEqualTo("NotReverted");
        assertThat(gitReverted.getMessage()).contains("inconclusive").contains("ramp retry");
        assertThat(failed.getStatus().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.NotReverted);
        assertThat(image("podinfo-primary")).isEqualTo("podinfo:1.0");

        // Git still declares the release, and nothing is pushed later either.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> fx.dev.log().get(0).name().equals(unjudged));
        assertThat(revertCommit(rollout())).isNull();
        assertThat(fx.dev.read("main", "apps/podinfo/deploy.yaml")).isEqualTo(deployment("podinfo:2.0"));
    }

    @Test
    void aFailedReleaseIsRevertedInGitAndTheRevertSyncsBackWithoutANewRelease() throws Exception {
        String stable = bootstrap("Push");
        // The release's commit also changes another team's file, which the revert must leave alone.
        fx.dev.write("apps/other/config.yaml", GitFixture.configMap("other", "changed-with-the-release"));
        String bad = release("podinfo:2.0", "podinfo 2.0");

        Rollout reverted = awaitRollout(RELEASE, r -> Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));
        assertThat(reverted.getStatus().getPhase()).isEqualTo(Phase.Failed);
        String revert = revertCommit(reverted);
        assertThat(revert).isNotNull();

        List<RevCommit> log = fx.dev.log();
        RevCommit head = log.get(0);
        assertThat(head.name()).isEqualTo(revert);
        assertThat(head.getParent(0).name()).isEqualTo(bad);
        assertThat(head.getAuthorIdent().getName()).isEqualTo("Ramp Bot");
        assertThat(head.getAuthorIdent().getEmailAddress()).isEqualTo("ramp@example.com");
        assertThat(head.getFullMessage())
                .startsWith("Revert podinfo: Rollout " + fx.namespace + "/podinfo failed")
                .contains("request-success-rate").contains("80").contains("minimum 99")
                .contains(bad.substring(0, 12) + " podinfo 2.0");
        assertThat(fx.dev.read("main", "apps/podinfo/deploy.yaml")).isEqualTo(deployment("podinfo:1.0"));
        assertThat(fx.dev.read("main", "apps/podinfo/rollout.yaml")).isEqualTo(rollout("Push"));
        assertThat(fx.dev.changedFiles(revert)).as("the revert touches the target's file only")
                .containsExactly("apps/podinfo/deploy.yaml");
        assertThat(fx.dev.read("main", "apps/other/config.yaml"))
                .isEqualTo(GitFixture.configMap("other", "changed-with-the-release"));

        // The revert is synced back at once: the target declares the stable version again.
        fx.awaitSource(Duration.ofSeconds(20), s -> revert.equals(s.getStatus().getLastAppliedCommit()));
        await().atMost(Duration.ofSeconds(20)).until(() -> "podinfo:1.0".equals(image("podinfo")));
        Rollout settled = awaitRollout(Duration.ofSeconds(20),
                r -> r.getStatus().getLastAppliedRevision().equals(r.getStatus().getLastPromotedRevision()));
        assertThat(settled.getStatus().getPhase()).isEqualTo(Phase.Failed);
        assertThat(settled.getStatus().getLastPromotedCommit()).isEqualTo(stable);
        assertThat(image("podinfo-primary")).isEqualTo("podinfo:1.0");

        // Nothing more happens, also after the operator restarts: one revert, no new release.
        operator.stop();
        operator.start();
        syncNow();
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> rollout().getStatus().getPhase() == Phase.Failed);
        assertThat(fx.dev.log()).extracting(RevCommit::getShortMessage).filteredOn(m -> m.startsWith("Revert")).hasSize(1);
        assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                .filteredOn(e -> "ReleaseStarted".equals(e.getReason())).hasSize(1);
        // The Rollout scaling its target is not drift: Git's sync never fought it.
        assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                .filteredOn(e -> "Drifted".equals(e.getReason())).isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> client.apps().deployments().inNamespace(fx.namespace)
                .withName("podinfo").get().getSpec().getReplicas() == 0);
        assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-primary").get().getSpec()
                .getReplicas()).isEqualTo(2);
    }

    /**
     * The Git side alone, on a mirror that fetches one commit deep: a promoted commit beyond that
     * depth is reached by fetching deeper once; one in no history (force-pushed away) ends the
     * revert with a reason, and nothing is pushed.
     */
    @Test
    void aPromotedCommitBeyondTheFetchDepthIsFetchedAndOneInNoHistoryEndsWithAReason() throws Exception {
        fx.dev.write("apps/podinfo/deploy.yaml", deployment("podinfo:1.0"));
        String stable = fx.dev.commitAndPush("podinfo 1.0");
        fx.dev.write("apps/podinfo/deploy.yaml", deployment("podinfo:2.0"));
        String bad = fx.dev.commitAndPush("podinfo 2.0");
        fx.createSource("apps", "1h");
        Path cache = Files.createTempDirectory("ramp-mirror-");
        GitReverter reverter = new GitReverter(client, new GitMirror(cache, 1, LoopbackEgress.policy()), new SyncRequests());

        ReleaseReverter.Outcome deepened = reverter.revert(request(stable, bad, "rev-2"));
        assertThat(deepened.reverted()).as(deepened.message()).isTrue();
        assertThat(deepened.reason()).isEqualTo(GitRevertReasons.REVERTED);
        assertThat(fx.dev.read("main", "apps/podinfo/deploy.yaml")).isEqualTo(deployment("podinfo:1.0"));

        String gone = "0123456789abcdef0123456789abcdef01234567";
        String head = fx.dev.log().get(0).name();
        ReleaseReverter.Outcome refused = reverter.revert(request(gone, bad, "rev-3"));
        assertThat(refused.reverted()).isFalse();
        assertThat(refused.retry()).as("retrying cannot find it either").isFalse();
        assertThat(refused.reason()).isEqualTo(GitRevertReasons.PROMOTED_COMMIT_NOT_FOUND);
        assertThat(refused.message()).contains(gone.substring(0, 12)).contains("status.lastPromotedCommit")
                .contains("apps/podinfo/deploy.yaml").contains("nothing was pushed");
        assertThat(fx.dev.log().get(0).name()).isEqualTo(head);
    }

    /** A release of podinfo whose Rollout promoted {@code promoted} and failed at {@code failed}. */
    private ReleaseReverter.Request request(String promoted, String failed, String revision) {
        Rollout rollout = new Rollout();
        rollout.getMetadata().setName("podinfo");
        rollout.getMetadata().setNamespace(fx.namespace);
        RolloutSpec spec = new RolloutSpec();
        GitRevertSpec revert = new GitRevertSpec();
        revert.setEnabled(true);
        revert.setSourceRef(new LocalObjectRef("apps"));
        revert.setMode(GitRevertSpec.Mode.Push);
        spec.setGitRevert(revert);
        rollout.setSpec(spec);
        RolloutStatus status = new RolloutStatus();
        status.setLastPromotedCommit(promoted);
        rollout.setStatus(status);
        Deployment target = new DeploymentBuilder().withNewMetadata().withName("podinfo").withNamespace(fx.namespace)
                .addToAnnotations(RampLabels.COMMIT_ANNOTATION, failed).endMetadata().build();
        return new ReleaseReverter.Request(rollout, target, revision, null);
    }

    @Test
    void aPushRejectedBecauseTheBranchMovedIsRebuiltOnTheNewHead() throws Exception {
        bootstrap("Push");
        release("podinfo:2.0", "podinfo 2.0");
        String url = server.repository(fx.namespace).toUri().toString();
        server.beforeNextPush(() -> {
            try (GitWorkspace colleague = new GitWorkspace(url, "", "")) {
                colleague.pull().write("apps/other/config.yaml", GitFixture.configMap("other", "moved-on"))
                        .commitAndPush("a colleague's unrelated change");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Rollout reverted = awaitRollout(RELEASE, r -> Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));
        List<RevCommit> log = fx.dev.log();
        assertThat(log.get(0).name()).isEqualTo(revertCommit(reverted));
        assertThat(log.get(1).getShortMessage()).isEqualTo("a colleague's unrelated change");
        assertThat(fx.dev.read("main", "apps/podinfo/deploy.yaml")).isEqualTo(deployment("podinfo:1.0"));
        assertThat(fx.dev.read("main", "apps/other/config.yaml")).contains("moved-on");
    }

    @Test
    void aConflictingRevertIsNotForcedAndTheClusterStaysOnTheStableVersion() throws Exception {
        bootstrap("Push");
        kubelet.hold("podinfo");
        release("podinfo:2.0", "podinfo 2.0");
        // Someone changes the same line before the release fails, and it is not synced yet.
        fx.dev.write("apps/podinfo/deploy.yaml", deployment("podinfo:2.1"));
        String later = fx.dev.commitAndPush("podinfo 2.1");
        kubelet.release("podinfo");

        // GitReverted is Unknown ("Reverting") between the decision to revert and the push's outcome.
        Rollout refused = awaitRollout(RELEASE, r -> condition(r, "GitReverted") != null
                && !"Unknown".equals(condition(r, "GitReverted").getStatus()));
        assertThat(condition(refused, "GitReverted").getStatus()).isEqualTo("False");
        assertThat(condition(refused, "GitReverted").getReason()).isEqualTo("RevertConflict");
        assertThat(condition(refused, "GitReverted").getMessage()).contains("apps/podinfo/deploy.yaml");
        assertThat(refused.getStatus().getPhase()).isEqualTo(Phase.Failed);
        assertThat(refused.getStatus().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Refused);
        assertThat(revertCommit(refused)).isNull();
        assertThat(fx.dev.log().get(0).name()).isEqualTo(later);
        assertThat(image("podinfo-primary")).isEqualTo("podinfo:1.0");
        await().atMost(Duration.ofSeconds(15)).until(() -> fx.client.apps().deployments().inNamespace(fx.namespace)
                .withName("podinfo").get().getSpec().getReplicas() == 0);
        assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                .filteredOn(e -> "RevertConflict".equals(e.getReason())).hasSize(1);
    }

    @Test
    void branchModePushesTheRevertForReview() throws Exception {
        bootstrap("Branch");
        String bad = release("podinfo:2.0", "podinfo 2.0");

        Rollout reverted = awaitRollout(RELEASE, r -> Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));
        String branch = "ramp/revert-podinfo-" + bad.substring(0, 7);
        assertThat(condition(reverted, "GitReverted").getReason()).isEqualTo("RevertBranchPushed");
        assertThat(condition(reverted, "GitReverted").getMessage()).contains(branch);
        assertThat(fx.dev.read(branch, "apps/podinfo/deploy.yaml")).isEqualTo(deployment("podinfo:1.0"));
        assertThat(fx.dev.log().get(0).name()).isEqualTo(bad);
        assertThat(image("podinfo-primary")).isEqualTo("podinfo:1.0");
    }

    private Rollout rollout() {
        return client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").get();
    }

    private Rollout awaitRollout(Duration within, java.util.function.Predicate<Rollout> until) {
        return await().atMost(within).pollInterval(Duration.ofMillis(200))
                .until(this::rollout, r -> r != null && r.getStatus() != null && r.getStatus().getPhase() != null
                        && until.test(r));
    }

    private static String revertCommit(Rollout rollout) {
        return rollout.getStatus().getGitRevert() == null ? null : rollout.getStatus().getGitRevert().getCommit();
    }

    private static io.fabric8.kubernetes.api.model.Condition condition(Rollout rollout, String type) {
        return Conditions.find(rollout.getStatus().getConditions(), type).orElse(null);
    }

    private String image(String name) {
        Deployment d = client.apps().deployments().inNamespace(fx.namespace).withName(name).get();
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
