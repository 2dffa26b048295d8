package dev.ramp.rollout.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.analysis.CheckFailure;
import dev.ramp.analysis.CheckResult;
import dev.ramp.analysis.MetricOutcome;
import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.GitRevertSpec;
import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.LocalObjectRef;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.StatefulSetReasons;
import dev.ramp.api.StepStatus;
import dev.ramp.api.TargetRef;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Timestamps;
import dev.ramp.api.Verdict;
import dev.ramp.api.WebhookSpec;
import dev.ramp.git.ReleaseReverter;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandlerRegistry;
import dev.ramp.rollout.Probes;
import dev.ramp.rollout.Reverts;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.work.Observation;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A StatefulSet's release as pure decisions (docs/statefulsets.md): each pass decided from the
 * Rollout, the StatefulSet as its controller reports it, scripted check answers and a fixed time.
 * What is asserted is what a user would see follow: the partition Ramp sets, the template it writes
 * back, the phase, the weight and the Git revert.
 */
class StatefulSetPhasesTest {

    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    private static final String V1 = "db-5c8f7d9b4";
    private static final String V2 = "db-7d9b4c8f5";

    private final ScriptedChecks probes = new ScriptedChecks();
    private final List<ReleaseReverter.Request> reverts = new ArrayList<>();
    private final PhaseHandlerRegistry machine = new PhaseHandlerRegistry(List.of(), PhaseHandlerRegistry.statefulSetHandlers(probes,
            Reverts.inline(request -> {
                reverts.add(request);
                return ReleaseReverter.Outcome.done("Reverted", "reverted in commit f00d", "f00d");
            })));

    private Rollout rollout;
    private StatefulSet set;
    /** The pods the reconciler read for this pass (it reads them only at a step's deadline). */
    private List<Pod> pods = List.of();
    private RolloutContext pass;

    @BeforeEach
    void aStatefulSetOfFivePodsReleasedInStepsOf20And50() {
        rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("db").withNamespace("shop").withGeneration(1L).build());
        RolloutSpec spec = new RolloutSpec();
        TargetRef target = new TargetRef("db");
        target.setKind(TargetRef.STATEFUL_SET);
        spec.setTargetRef(target);
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        service.setProvider(RoutingProvider.None);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setInterval("30s");
        analysis.setStepWeights(List.of(20, 50));
        analysis.setThreshold(1);
        spec.setAnalysis(analysis);
        spec.setProgressDeadlineSeconds(120);
        rollout.setSpec(spec);
        rollout.setStatus(new RolloutStatus());
        set = statefulSet(5, V1, V1, 5, 5, 5);
    }

    /** The StatefulSet as its controller reports it: partition, current and update revisions, pods on each, pods ready. */
    private static StatefulSet statefulSet(int partition, String current, String update, int onCurrent, int onUpdate, int ready) {
        return new StatefulSetBuilder()
                .withNewMetadata().withName("db").withNamespace("shop").withGeneration(2L)
                .addToAnnotations("ramp.dev/commit", "c0ffee").endMetadata()
                .withNewSpec().withReplicas(5).withServiceName("db")
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate().withPartition(partition).endRollingUpdate()
                .endUpdateStrategy().endSpec()
                .withNewStatus().withObservedGeneration(2L).withReplicas(5).withCurrentRevision(current).withUpdateRevision(update)
                .withCurrentReplicas(onCurrent).withUpdatedReplicas(onUpdate).withReadyReplicas(ready).endStatus()
                .build();
    }

    private Next decideAt(Duration sinceT0) {
        pass = RolloutContext.ofStatefulSet(rollout, set, pods, TemplateLookup.of(List.of()), T0.plus(sinceT0),
                Optional.empty(), Optional.empty());
        return machine.decide(pass);
    }

    private RolloutStatus status() {
        return rollout.getStatus();
    }

    private List<Integer> partitions() {
        return pass.effects().stream().filter(e -> e instanceof Effect.Partition).map(e -> ((Effect.Partition) e).partition()).toList();
    }

    private static String at(Duration after) {
        return Timestamps.format(T0.plus(after));
    }

    /** Revision V2 released from V1, at {@code step} (null: before traffic) since {@code since}. */
    private void releasingAt(Integer step, Duration since) {
        status().setPhase(Phase.Progressing);
        status().setPhaseSince(at(Duration.ZERO));
        status().setReleaseStartTime(at(Duration.ZERO));
        status().setLastAppliedRevision(V2);
        status().setLastAppliedCommit("c0ffee");
        status().setLastPromotedRevision(V1);
        status().setCurrentStep(new StepStatus(step, at(since)));
    }

    @Test
    void aNewRolloutHoldsThePartitionAtTheReplicaCountAndRecordsTheCurrentRevision() {
        set = statefulSet(0, V1, V1, 5, 5, 5);
        decideAt(Duration.ZERO);

        assertThat(status().getPhase()).isEqualTo(Phase.Initialized);
        assertThat(status().getLastPromotedRevision()).isEqualTo(V1);
        assertThat(status().getLastPromotedCommit()).isEqualTo("c0ffee");
        assertThat(partitions()).containsExactly(5);
    }

    @Test
    void aNewTemplateStartsAReleaseWithNoPodMoved() {
        status().setPhase(Phase.Initialized);
        status().setLastPromotedRevision(V1);
        status().setLastAppliedRevision(V1);
        // Git applied a new template: a new update revision, no pod on it (the partition is 5).
        set = statefulSet(5, V1, V2, 5, 0, 5);
        decideAt(Duration.ZERO);

        assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
        assertThat(status().getLastAppliedRevision()).isEqualTo(V2);
        assertThat(partitions()).containsExactly(5);
    }

    @Test
    void theFirstStepLowersThePartitionToTheHighestOrdinal() {
        releasingAt(null, Duration.ZERO);
        set = statefulSet(5, V1, V2, 5, 0, 5);
        decideAt(Duration.ofSeconds(31));

        assertThat(status().getCurrentStep().getIndex()).isZero();
        assertThat(partitions()).last().isEqualTo(4);
        assertThat(status().getCanaryWeight()).isEqualTo(20);
        assertThat(pass.notes()).extracting(RolloutContext.Note::message)
                .contains("Step 1 of 2: canary weight 20% (StatefulSet: partition 4, 1 of 5 pod on revision " + V2 + ", 20% of the traffic)");
    }

    @Test
    void aStepsChecksWaitUntilItsOrdinalsRunTheRevisionReady() {
        releasingAt(0, Duration.ZERO);
        // The partition is 4, but ordinal 4 is not ready on the new revision yet.
        set = statefulSet(4, V1, V2, 4, 1, 4);
        Next next = decideAt(Duration.ofSeconds(31));

        assertThat(probes.run).as("no check counts before the step's pods are ready").isZero();
        assertThat(status().getCurrentStep().getIndex()).isZero();
        assertThat(status().getCanaryNotReadySince()).isEqualTo(at(Duration.ofSeconds(31)));
        assertThat(partitions()).containsExactly(4);
        assertThat(next.after()).isPresent();

        set = statefulSet(4, V1, V2, 4, 1, 5);
        probes.result = passed();
        decideAt(Duration.ofSeconds(32));
        assertThat(probes.run).isPositive();
        assertThat(status().getCanaryNotReadySince()).isNull();
        assertThat(status().getCurrentStep().getIndex()).as("50% of 5 pods: 2.5, rounded to 3").isEqualTo(1);
        assertThat(partitions()).last().isEqualTo(2);
        assertThat(status().getCanaryWeight()).isEqualTo(60);
    }

    @Test
    void stepsCountedInPodsMoveThatManyOrdinalsAndACountAboveTheReplicasMovesEvery() {
        rollout.getSpec().getAnalysis().setStepWeights(null);
        rollout.getSpec().getAnalysis().setStepReplicas(List.of(1, 2, 9));
        releasingAt(null, Duration.ZERO);
        set = statefulSet(5, V1, V2, 5, 0, 5);
        decideAt(Duration.ofSeconds(31));

        assertThat(status().getCurrentStep().getIndex()).isZero();
        assertThat(partitions()).last().isEqualTo(4);
        assertThat(status().getCanaryWeight()).isEqualTo(20);
        assertThat(pass.notes()).extracting(RolloutContext.Note::message)
                .contains("Step 1 of 3: 1 pod on the new revision (StatefulSet: partition 4, 1 of 5 pod on revision " + V2
                        + ", 20% of the traffic)");

        set = statefulSet(4, V1, V2, 4, 1, 5);
        probes.result = passed();
        decideAt(Duration.ofSeconds(62));
        assertThat(status().getCurrentStep().getIndex()).isEqualTo(1);
        assertThat(partitions()).last().as("two pods: ordinals 3 and 4").isEqualTo(3);
        assertThat(status().getCanaryWeight()).isEqualTo(40);

        set = statefulSet(3, V1, V2, 3, 2, 5);
        decideAt(Duration.ofSeconds(93));
        assertThat(status().getCurrentStep().getIndex()).isEqualTo(2);
        assertThat(partitions()).last().as("9 of 5 pods: every one").isEqualTo(0);
        assertThat(status().getCanaryWeight()).isEqualTo(100);
    }

    @Test
    void aStepNotReadyByTheProgressDeadlineRollsTheReleaseBack() {
        releasingAt(0, Duration.ZERO);
        status().setCanaryNotReadySince(at(Duration.ZERO));
        set = statefulSet(4, V1, V2, 4, 1, 4);
        decideAt(Duration.ofSeconds(121));

        assertThat(status().getPhase()).isEqualTo(Phase.Failed);
        assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.PROGRESS_DEADLINE_EXCEEDED);
        assertThat(status().getRollbackCause().getMessage()).contains("partition 4, 1 of 5 pods on the revision, 4 ready");
    }

    @Test
    void aStepWhosePodCannotPullItsImageRollsBackWithoutBlamingTheCommit() {
        gitRevertOn();
        releasingAt(0, Duration.ZERO);
        status().setCanaryNotReadySince(at(Duration.ZERO));
        set = statefulSet(4, V1, V2, 4, 1, 4);
        pods = List.of(pod("db-4", V2, new ContainerStatusBuilder().withName("db").withImage("registry.example/db:2")
                .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image")
                .endWaiting().endState().build()), pod("db-3", V1, null));
        decideAt(Duration.ofSeconds(121));

        assertThat(status().getPhase()).isEqualTo(Phase.Failed);
        assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.IMAGE_NOT_PULLED);
        assertThat(status().getRollbackCause().getMessage()).contains("partition 4, 1 of 5 pods on the revision, 4 ready; "
                + "pod db-4: image registry.example/db:2 not pulled (ImagePullBackOff)");

        decideAt(Duration.ofSeconds(122));
        assertThat(status().getGitRevert().getState()).as("a registry outage is not the commit's fault")
                .isEqualTo(GitRevertStatus.State.NotReverted);
        assertThat(reverts).isEmpty();
        assertThat(pass.effects()).as("the promoted template is still written back").contains(new Effect.RestoreTemplate(V1));
    }

    @Test
    void aStepWhosePodCrashesRollsBackAndRevertsNamingThePod() {
        releasingAt(0, Duration.ZERO);
        status().setCanaryNotReadySince(at(Duration.ZERO));
        set = statefulSet(4, V1, V2, 4, 1, 4);
        pods = List.of(pod("db-4", V2, new ContainerStatusBuilder().withName("db").withNewState().withNewWaiting()
                .withReason("CrashLoopBackOff").endWaiting().endState().build()));
        decideAt(Duration.ofSeconds(121));

        assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.PROGRESS_DEADLINE_EXCEEDED);
        assertThat(status().getRollbackCause().getMessage()).endsWith("; pod db-4: db CrashLoopBackOff");
        assertThat(status().getRollbackCause().revertsGit()).isTrue();
    }

    @Test
    void aFailedCheckRollsBackAndTheNextPassWritesThePromotedTemplateBackKeepingThePartition() {
        releasingAt(1, Duration.ZERO);
        set = statefulSet(2, V1, V2, 2, 3, 5);
        probes.result = failed();
        decideAt(Duration.ofSeconds(31));
        assertThat(status().getPhase()).isEqualTo(Phase.Failed);
        assertThat(status().getCanaryWeight()).isZero();

        gitRevertOn();
        decideAt(Duration.ofSeconds(32));
        assertThat(pass.effects()).contains(new Effect.RestoreTemplate(V1));
        assertThat(partitions()).as("the partition stays at 2: the restored template reaches the moved ordinals alone").isEmpty();
        assertThat(status().getGitRevert().getState()).as("the revert is under way beside the restore")
                .isEqualTo(GitRevertStatus.State.Pending);

        // The template is back: the controller rolls ordinals 2..4 back; one is still on the failed revision.
        set = statefulSet(2, V1, V1, 4, 4, 4);
        decideAt(Duration.ofSeconds(34));
        assertThat(pass.effects()).contains(new Effect.RestoreTemplate(V1));
        assertThat(pass.effects()).as("a pod of the failed revision that never became ready would hold the controller")
                .contains(new Effect.DeleteUnreadyPods(V2));
        assertThat(reverts).hasSize(1);
        assertThat(reverts.get(0).revision()).isEqualTo(V2);
        assertThat(reverts.get(0).kind()).isEqualTo("StatefulSet");

        // Every ordinal on the promoted revision and ready: the partition goes back to 5, at rest.
        set = statefulSet(2, V1, V1, 5, 5, 5);
        decideAt(Duration.ofSeconds(40));
        assertThat(pass.effects()).doesNotContain(new Effect.RestoreTemplate(V1));
        assertThat(partitions()).containsExactly(5);
        assertThat(status().getPhase()).isEqualTo(Phase.Failed);
        assertThat(status().getLastAppliedRevision()).as("the failed revision stays recorded: Git may still declare it").isEqualTo(V2);
    }

    @Test
    void theFailedTemplateAppliedAgainBeforeTheRevertLandsMovesNoPod() {
        releasingAt(1, Duration.ZERO);
        status().setPhase(Phase.Failed);
        status().setCurrentStep(null);
        status().setRollbackCause(new RollbackCause(RollbackCause.ANALYSIS_FAILED, "success-rate 80 below 99"));
        // A GitSource put the failed template back: update revision V2 again, every pod still on V1.
        set = statefulSet(5, V1, V2, 5, 0, 5);
        decideAt(Duration.ofSeconds(60));

        assertThat(status().getPhase()).as("the failed revision is not released again").isEqualTo(Phase.Failed);
        assertThat(pass.effects()).doesNotContain(new Effect.RestoreTemplate(V1));
        assertThat(partitions()).containsExactly(5);
    }

    @Test
    void promotionMovesEveryOrdinalThenRestsThePartitionAtTheReplicaCount() {
        releasingAt(1, Duration.ZERO);
        status().setPhase(Phase.Promoting);
        set = statefulSet(2, V1, V2, 2, 3, 5);
        decideAt(Duration.ofSeconds(1));
        assertThat(partitions()).containsExactly(0);
        assertThat(status().getPhase()).isEqualTo(Phase.Promoting);

        // The controller moved every ordinal and made the update revision current.
        set = statefulSet(0, V2, V2, 5, 5, 5);
        decideAt(Duration.ofSeconds(20));
        assertThat(status().getPhase()).isEqualTo(Phase.Succeeded);
        assertThat(status().getLastPromotedRevision()).isEqualTo(V2);
        assertThat(status().getLastPromotedCommit()).isEqualTo("c0ffee");
        assertThat(partitions()).containsExactly(5);
        assertThat(Conditions.isTrue(status().getConditions(), RolloutConditions.PROMOTED)).isTrue();
    }

    @Test
    void aPartitionDeclaredInGitHoldsTheRolloutNamingTheField() {
        status().setPhase(Phase.Initialized);
        status().setLastPromotedRevision(V1);
        status().setLastAppliedRevision(V1);
        set = statefulSet(0, V1, V2, 5, 0, 5);
        set.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("ramp-gitsource").withOperation("Apply")
                .withFieldsV1(fields(Map.of("f:spec", Map.of("f:updateStrategy", Map.of("f:rollingUpdate", Map.of("f:partition", Map.of()))))))
                .build()));
        decideAt(Duration.ZERO);

        assertThat(status().getPhase()).as("no release starts").isEqualTo(Phase.Initialized);
        assertThat(pass.effects()).isEmpty();
        var ready = Conditions.find(status().getConditions(), RolloutConditions.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(ready.getReason()).isEqualTo(StatefulSetReasons.PARTITION_DECLARED);
        assertThat(ready.getMessage()).contains("spec.updateStrategy.rollingUpdate.partition", "ramp-gitsource");
    }

    @Test
    void anOnDeleteStatefulSetIsRefused() {
        set.getSpec().getUpdateStrategy().setType("OnDelete");
        decideAt(Duration.ZERO);

        assertThat(Conditions.find(status().getConditions(), RolloutConditions.READY).orElseThrow().getReason())
                .isEqualTo(StatefulSetReasons.ON_DELETE);
        assertThat(pass.effects()).isEmpty();
    }

    /** A pod of the StatefulSet on {@code revision} as its controller labels it. */
    private static Pod pod(String name, String revision, ContainerStatus container) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").addToLabels("app", "db")
                .addToLabels("controller-revision-hash", revision).endMetadata()
                .withNewStatus().withContainerStatuses(container == null ? List.of() : List.of(container)).endStatus().build();
    }

    private void gitRevertOn() {
        GitRevertSpec revert = new GitRevertSpec();
        revert.setEnabled(true);
        revert.setSourceRef(new LocalObjectRef("shop"));
        rollout.getSpec().setGitRevert(revert);
    }

    private static FieldsV1 fields(Map<String, Object> fields) {
        FieldsV1 v1 = new FieldsV1();
        fields.forEach(v1::setAdditionalProperty);
        return v1;
    }

    private static final ThresholdRange MIN_99 = new ThresholdRange(99.0, null);

    private static CheckResult passed() {
        return new CheckResult(List.of(new MetricOutcome(new MetricStatus("success-rate", 100.0, MIN_99, Verdict.Passed,
                "within range"), null)));
    }

    private static CheckResult failed() {
        return new CheckResult(List.of(new MetricOutcome(new MetricStatus("success-rate", 80.0, MIN_99, Verdict.Failed,
                "80.0 is below the minimum 99"), CheckFailure.OUT_OF_RANGE)));
    }

    /** Checks answered at once, as told; no webhooks. */
    private static final class ScriptedChecks implements Probes {

        private CheckResult result = new CheckResult(List.of());
        private int run;

        @Override
        public Observation<CheckResult> checks(RolloutContext context) {
            run++;
            return Observation.ready(result);
        }

        @Override
        public Observation<Optional<HookAnswer>> firstRefusal(RolloutContext context, WebhookSpec.Type type) {
            return Observation.ready(Optional.empty());
        }

        @Override
        public Observation<Optional<HookAnswer>> firstYes(RolloutContext context, WebhookSpec.Type type) {
            return Observation.ready(Optional.empty());
        }
    }
}
