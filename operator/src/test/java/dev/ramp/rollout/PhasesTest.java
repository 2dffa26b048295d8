package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.analysis.CheckFailure;
import dev.ramp.analysis.CheckResult;
import dev.ramp.analysis.MetricOutcome;
import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.AnalysisReasons;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.GitRevertReasons;
import dev.ramp.api.GitRevertSpec;
import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.LocalObjectRef;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.api.RoutingCondition;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import dev.ramp.api.TemplateHash;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import dev.ramp.api.WebhookReasons;
import dev.ramp.api.WebhookSpec;
import dev.ramp.git.ReleaseReverter;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.phase.IdlePhase;
import dev.ramp.rollout.phase.PromotingPhase;
import dev.ramp.work.Observation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The state machine as pure decisions: each pass is decided from the Rollout, its target and
 * primary as observed, scripted probe answers and a fixed time, with no cluster. Each test
 * asserts what the pass wrote in status, the effects it asked for after the write, the Events
 * it told, and when it wants to look again.
 */
class PhasesTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private final ScriptedProbes probes = new ScriptedProbes();
    private final RecordingReverter reverter = new RecordingReverter();
    private final PhaseHandlerRegistry machine = new PhaseHandlerRegistry(PhaseHandlerRegistry.handlers(probes, Reverts.inline(reverter)));

    private Rollout rollout;
    private Deployment target;
    private Deployment primary;
    /** The baseline Deployment as observed ({@code analysis.baseline}); null when there is none. */
    private Deployment baseline;
    private List<io.fabric8.kubernetes.api.model.Pod> pods = List.of();
    private RolloutContext pass;

    @BeforeEach
    void aCanaryRolloutOfVersionTwo() {
        rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("shop").withGeneration(1L).build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("podinfo"));
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setInterval("30s");
        analysis.setStepWeights(List.of(20, 50));
        analysis.setThreshold(2);
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        rollout.setStatus(new RolloutStatus());
        target = deployment("podinfo", "2.0", 1, true);
        primary = deployment("podinfo-primary", "1.0", 1, true);
    }

    private static Deployment deployment(String name, String version, int replicas, boolean ready) {
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace("shop").withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", "podinfo").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "podinfo").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("podinfo:" + version).endContainer().endSpec()
                .endTemplate().endSpec()
                .withStatus(new DeploymentStatusBuilder().withObservedGeneration(1L)
                        .withUpdatedReplicas(ready ? replicas : 0).withReadyReplicas(ready ? replicas : 0).build())
                .build();
        return deployment;
    }

    /** The primary as Ramp leaves it: the template of {@code version}, labelled with its revision. */
    private static Deployment primaryRunning(String version, boolean ready) {
        Deployment primary = deployment("podinfo-primary", version, 1, ready);
        String revision = TemplateHash.of(deployment("podinfo", version, 1, true).getSpec().getTemplate());
        primary.getSpec().getTemplate().getMetadata().getLabels().putAll(Workloads.revisionLabels(revision));
        return primary;
    }

    /** The target as Ramp leaves it for a release: the canary of {@code version}, its pods labelled with the revision. */
    private static Deployment canaryRunning(String version, boolean ready) {
        Deployment canary = deployment("podinfo", version, 1, ready);
        canary.getSpec().getTemplate().getMetadata().getLabels().putAll(Workloads.revisionLabels(revisionOf(version)));
        return canary;
    }

    private static String revisionOf(String version) {
        return TemplateHash.of(deployment("podinfo", version, 1, true).getSpec().getTemplate());
    }

    private RolloutStatus status() {
        return rollout.getStatus();
    }

    /** What the reconciler observed of the router's CRDs: why it cannot route, if it cannot. */
    private Optional<String> routerNotInstalled = Optional.empty();

    /** What the route's Gateways reported of it (Gateway API); empty for Istio. */
    private Optional<dev.ramp.routing.RouteAcceptance> routeAcceptance = Optional.empty();

    private Next decideAt(Duration sinceT0) {
        pass = new RolloutContext(rollout, target, Optional.ofNullable(primary), pods, TemplateLookup.of(List.of()), T0.plus(sinceT0),
                routerNotInstalled, routeAcceptance).observedBaseline(Optional.ofNullable(baseline));
        return machine.decide(pass);
    }

    private List<String> events() {
        return pass.notes().stream().map(RolloutContext.Note::reason).toList();
    }

    private Optional<String> condition(String type, java.util.function.Function<io.fabric8.kubernetes.api.model.Condition, String> field) {
        return Conditions.find(status().getConditions(), type).map(field);
    }

    /** A time as status records it: {@code after} past T0. */
    private static String at(Duration after) {
        return Timestamps.format(T0.plus(after));
    }

    /** The traffic step the release holds, or null before traffic or outside a release. */
    private Integer stepIndex() {
        return status().getCurrentStep() == null ? null : status().getCurrentStep().getIndex();
    }

    /** The release is before traffic, begun at T0 with no check yet: the pre-traffic webhooks are due. */
    private void beforeTraffic() {
        status().setCurrentStep(new StepStatus(null, at(Duration.ZERO)));
    }

    /** Version 2.0 released, at {@code step}, its last check, the step's start and its rollout hooks passing at {@code since}. */
    private void releasingAt(int step, Duration since) {
        status().setPhase(Phase.Progressing);
        status().setLastAppliedRevision(revisionOf("2.0"));
        status().setLastPromotedRevision(revisionOf("1.0"));
        status().setReleaseStartTime(at(Duration.ZERO));
        status().setPhaseSince(at(Duration.ZERO));
        StepStatus current = new StepStatus(step, at(since));
        current.setLastCheckAt(at(since));
        current.setHooksPassedAt(at(since));
        status().setCurrentStep(current);
        status().setCanaryWeight(step == 0 ? 20 : 50);
        status().setFailedChecks(0);
        status().setInconclusiveChecks(0);
        primary = primaryRunning("1.0", true);
        target = canaryRunning("2.0", true);
    }

    @Nested
    class Initializing {

        @Test
        void createsThePrimaryAndWaitsForIt() {
            primary = null;

            Next next = decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initializing);
            assertThat(pass.effects()).containsExactly(new Effect.ApplyPrimary(revisionOf("2.0")));
            assertThat(condition("Ready", c -> c.getReason())).contains("Initializing");
            assertThat(next.after()).contains(Duration.ofSeconds(5));
        }

        @Test
        void oncePrimaryIsReadyOnTheRevisionTheTargetIsScaledDown() {
            primary = primaryRunning("2.0", true);

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initialized);
            assertThat(status().getLastPromotedRevision()).isEqualTo(revisionOf("2.0"));
            assertThat(pass.effects()).contains(new Effect.ScaleDownCanary());
            assertThat(events()).containsExactly("Initialized");
        }

        @Test
        void anUnreadyPrimaryKeepsTheTargetRunning() {
            primary = primaryRunning("2.0", false);

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initializing);
            assertThat(pass.effects()).doesNotContain(new Effect.ScaleDownCanary());
        }
    }

    @Nested
    class Idle {

        @BeforeEach
        void initializedOnVersionOne() {
            status().setPhase(Phase.Initialized);
            status().setLastAppliedRevision(revisionOf("1.0"));
            status().setLastPromotedRevision(revisionOf("1.0"));
            status().setPhaseSince(at(Duration.ofMinutes(-1)));
            primary = primaryRunning("1.0", true);
        }

        @Test
        void aNewRevisionStartsAReleaseWithAllTrafficOnThePrimary() {
            Next next = decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getLastAppliedRevision()).isEqualTo(revisionOf("2.0"));
            assertThat(stepIndex()).isNull();
            assertThat(ReleasePlan.routingOf(rollout).weights()).isEqualTo(dev.ramp.routing.Weights.ALL_PRIMARY);
            assertThat(pass.effects()).containsExactly(new Effect.ScaleUpCanary(revisionOf("2.0")));
            assertThat(events()).containsExactly("ReleaseStarted");
            assertThat(next.after()).contains(Duration.ofSeconds(1));
        }

        @Test
        void thePromotedRevisionStartsNothingAndKeepsThePrimaryOnIt() {
            target = deployment("podinfo", "1.0", 1, true);
            primary = null;

            Next next = decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initialized);
            assertThat(pass.effects()).containsExactly(new Effect.ApplyPrimary(revisionOf("1.0")), new Effect.ScaleDownCanary());
            assertThat(next.after()).isEmpty();
        }

        @Test
        void theEndOfAReleaseIsToldToPostRolloutHooksOnceAndOnlyAfterItIsWritten() {
            status().setPhase(Phase.Succeeded);
            status().setReleaseStartTime(at(Duration.ZERO));
            target = deployment("podinfo", "1.0", 1, true);

            decideAt(Duration.ZERO);
            assertThat(status().getPostRolloutNotified()).isEqualTo(at(Duration.ZERO));
            assertThat(pass.effects()).startsWith(new Effect.NotifyPostRollout());

            decideAt(Duration.ofSeconds(1));
            assertThat(pass.effects()).doesNotContain(new Effect.NotifyPostRollout());
        }
    }

    @Nested
    class Progressing {

        @Test
        void anUnreadyCanaryIsScaledUpAndRolledBackAfterTheDeadline() {
            releasingAt(0, Duration.ZERO);
            target = canaryRunning("2.0", false);
            rollout.getSpec().setProgressDeadlineSeconds(60);

            Next next = decideAt(Duration.ofSeconds(10));
            assertThat(status().getCanaryNotReadySince()).isEqualTo(at(Duration.ofSeconds(10)));
            assertThat(pass.effects()).containsExactly(new Effect.ScaleUpCanary(revisionOf("2.0")));
            assertThat(next.after()).contains(Duration.ofSeconds(5));

            decideAt(Duration.ofSeconds(71));
            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            assertThat(status().getRollbackCause().getReason()).isEqualTo("ProgressDeadlineExceeded");
            assertThat(status().getCanaryWeight()).isZero();
        }

        @Test
        void anUnschedulableCanaryAtTheDeadlineRollsBackWithoutRevertingGit() {
            releasingAt(0, Duration.ZERO);
            target = canaryRunning("2.0", false);
            rollout.getSpec().setProgressDeadlineSeconds(60);
            pods = List.of(canaryPod(new io.fabric8.kubernetes.api.model.PodStatusBuilder().addNewCondition()
                    .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                    .withMessage("0/3 nodes are available: 3 Insufficient cpu.").endCondition().build()));
            enableGitRevert();

            decideAt(Duration.ofSeconds(10));
            decideAt(Duration.ofSeconds(71));
            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            assertThat(status().getCanaryWeight()).isZero();
            assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.CANARY_NOT_SCHEDULED);
            assertThat(condition(RolloutConditions.PROMOTED, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .endsWith("not ready within 60s: pod podinfo-x unschedulable: 0/3 nodes are available: 3 Insufficient cpu."));

            decideAt(Duration.ofSeconds(72));
            decideAt(Duration.ofSeconds(73));
            assertThat(reverter.requests).isEmpty();
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getReason())).contains("NotReverted");
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .contains("the cluster could not run the canary's pods (CanaryNotScheduled"));
        }

        @Test
        void aCanaryWhoseImageCannotBePulledAtTheDeadlineIsNotReverted() {
            releasingAt(0, Duration.ZERO);
            target = canaryRunning("2.0", false);
            rollout.getSpec().setProgressDeadlineSeconds(60);
            pods = List.of(canaryPod(waitingIn("ErrImagePull")));
            enableGitRevert();

            decideAt(Duration.ofSeconds(10));
            decideAt(Duration.ofSeconds(71));
            decideAt(Duration.ofSeconds(72));
            decideAt(Duration.ofSeconds(73));

            assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.IMAGE_NOT_PULLED);
            assertThat(reverter.requests).isEmpty();
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getReason())).contains("NotReverted");
        }

        @Test
        void aCrashingCanaryAtTheDeadlineIsRevertedInGit() {
            releasingAt(0, Duration.ZERO);
            target = canaryRunning("2.0", false);
            rollout.getSpec().setProgressDeadlineSeconds(60);
            pods = List.of(canaryPod(waitingIn("CrashLoopBackOff")));
            enableGitRevert();

            decideAt(Duration.ofSeconds(10));
            decideAt(Duration.ofSeconds(69));
            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            decideAt(Duration.ofSeconds(71));
            decideAt(Duration.ofSeconds(72));
            decideAt(Duration.ofSeconds(73));

            assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.PROGRESS_DEADLINE_EXCEEDED);
            assertThat(reverter.requests).hasSize(1);
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getStatus())).contains(Conditions.TRUE);
        }

        @Test
        void aReadyTargetWhosePodsLackTheRevisionLabelIsNoCanaryYet() {
            releasingAt(0, Duration.ZERO);
            beforeTraffic();
            target = deployment("podinfo", "2.0", 1, true);

            decideAt(Duration.ZERO);

            assertThat(stepIndex()).isNull();
            assertThat(probes.checksRun).isZero();
            assertThat(pass.effects()).containsExactly(new Effect.ScaleUpCanary(revisionOf("2.0")));
        }

        @Test
        void theScaleUpIsDecidedAgainAtEveryPassSoALostOneIsMadeAgain() {
            releasingAt(0, Duration.ZERO);

            decideAt(Duration.ofSeconds(1));

            assertThat(pass.effects()).contains(new Effect.ScaleUpCanary(revisionOf("2.0")));
        }

        @Test
        void theFirstStepFollowsTheGatesAndIsRecordedBeforeAnyTrafficMoves() {
            releasingAt(0, Duration.ZERO);
            beforeTraffic();

            Next next = decideAt(Duration.ZERO);

            assertThat(stepIndex()).isZero();
            assertThat(status().getCanaryWeight()).isEqualTo(20);
            assertThat(ReleasePlan.routingOf(rollout).weights().canary()).isEqualTo(20);
            assertThat(events()).containsExactly("StepAdvanced");
            assertThat(next.after()).contains(Duration.ofSeconds(30));
        }

        @Test
        void aConfirmRolloutHookSayingNoHoldsTheReleaseWithoutTraffic() {
            hook(WebhookSpec.Type.ConfirmRollout);
            releasingAt(0, Duration.ZERO);
            beforeTraffic();
            probes.refuse(WebhookSpec.Type.ConfirmRollout, new HookAnswer(403, "gate answered 403", null));

            decideAt(Duration.ZERO);

            assertThat(stepIndex()).isNull();
            assertThat(condition(RolloutConditions.WEBHOOKS, c -> c.getReason())).contains("WaitingForConfirmation");
        }

        @Test
        void checksAreNotRunBeforeTheyAreDue() {
            releasingAt(0, Duration.ZERO);

            Next next = decideAt(Duration.ofSeconds(2));

            assertThat(probes.checksRun).isZero();
            assertThat(next.after()).contains(Duration.ofSeconds(3));
        }

        @Test
        void aPassedCheckHoldsTheStepForItsIntervalThenAdvances() {
            releasingAt(0, Duration.ZERO);
            probes.answer(passed());

            Next held = decideAt(Duration.ofSeconds(5));
            assertThat(stepIndex()).isZero();
            assertThat(held.after()).contains(Duration.ofSeconds(5));

            decideAt(Duration.ofSeconds(30));
            assertThat(stepIndex()).isEqualTo(1);
            assertThat(status().getCanaryWeight()).isEqualTo(50);
            assertThat(condition(RolloutConditions.ANALYSIS, c -> c.getStatus())).contains(Conditions.TRUE);
        }

        @Test
        void aReleaseWrittenByAnOlderOperatorResumesFromTheGatesWithoutTrafficNeverCrashing() {
            // status.step, lastTransitionTime, lastCheckTime and rolloutHooksStep are gone: such a
            // release holds no step Ramp can trust, so traffic returns to the primary and the
            // release goes through its gates again.
            rollout.setStatus(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                    {"phase": "Progressing", "canaryWeight": 50, "step": 1, "rolloutHooksStep": 1,
                     "lastTransitionTime": "2026-11-30T11:59:00Z", "lastCheckTime": "2026-11-30T11:59:55Z",
                     "revertCommit": "f00d", "failedChecks": 0, "inconclusiveChecks": 0,
                     "lastAppliedRevision": "%s", "lastPromotedRevision": "%s", "releaseStartTime": "2026-11-30T11:58:00Z"}
                    """.formatted(revisionOf("2.0"), revisionOf("1.0")), RolloutStatus.class));
            primary = primaryRunning("1.0", true);
            target = canaryRunning("2.0", true);

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getPhaseSince()).isEqualTo(at(Duration.ZERO));
            assertThat(stepIndex()).isZero();
            assertThat(status().getCurrentStep().getStartedAt()).isEqualTo(at(Duration.ZERO));
            assertThat(events()).containsExactly("StepAdvanced");
        }

        @Test
        void theNextCheckIsPacedFromTheStepsLastCheckNotFromItsStart() {
            releasingAt(0, Duration.ZERO);
            status().getCurrentStep().setLastCheckAt(at(Duration.ofSeconds(20)));
            probes.answer(passed());

            Next early = decideAt(Duration.ofSeconds(22));
            assertThat(probes.checksRun).isZero();
            assertThat(early.after()).contains(Duration.ofSeconds(3));

            decideAt(Duration.ofSeconds(25));
            assertThat(probes.checksRun).isPositive();
            assertThat(status().getCurrentStep().getLastCheckAt()).isEqualTo(at(Duration.ofSeconds(25)));
        }

        @Test
        void theHoldRunsFromTheStepsStartAndTheNextStepBeginsWithItsOwnClock() {
            releasingAt(0, Duration.ZERO);
            status().getCurrentStep().setStartedAt(at(Duration.ofSeconds(10)));
            probes.answer(passed());

            Next held = decideAt(Duration.ofSeconds(35));
            assertThat(stepIndex()).as("held 25s of 30").isZero();
            assertThat(held.after()).contains(Duration.ofSeconds(5));

            decideAt(Duration.ofSeconds(40));
            assertThat(stepIndex()).isEqualTo(1);
            assertThat(status().getCurrentStep().getStartedAt()).isEqualTo(at(Duration.ofSeconds(40)));
            assertThat(status().getCurrentStep().getLastCheckAt()).as("no check yet at the new step").isNull();
            assertThat(status().getCurrentStep().getHooksPassedAt()).as("its rollout hooks not asked yet").isNull();
        }

        @Test
        void rolloutHooksAreAskedOncePerStepAndTheirPassingIsRecordedWithTheTime() {
            hook(WebhookSpec.Type.Rollout);
            releasingAt(0, Duration.ZERO);
            status().getCurrentStep().setHooksPassedAt(null);
            probes.answer(passed());

            decideAt(Duration.ofSeconds(5));
            assertThat(status().getCurrentStep().getHooksPassedAt()).isEqualTo(at(Duration.ofSeconds(5)));
            long asked = probes.hooksAsked.stream().filter(WebhookSpec.Type.Rollout::equals).count();
            assertThat(asked).isPositive();

            decideAt(Duration.ofSeconds(10));
            assertThat(status().getCurrentStep().getLastCheckAt()).as("a second check ran").isEqualTo(at(Duration.ofSeconds(10)));
            assertThat(probes.hooksAsked.stream().filter(WebhookSpec.Type.Rollout::equals).count()).isEqualTo(asked);
        }

        @Test
        void aStepRecordedWithoutItsStartIsHeldFromWhenTheOperatorFirstSeesIt() {
            // A status written by an operator before the step's clock existed: the hold runs from now, never forever.
            releasingAt(0, Duration.ZERO);
            status().getCurrentStep().setStartedAt(null);
            probes.answer(passed());

            decideAt(Duration.ofSeconds(5));
            assertThat(status().getCurrentStep().getStartedAt()).isEqualTo(at(Duration.ofSeconds(5)));

            decideAt(Duration.ofSeconds(30));
            assertThat(stepIndex()).isZero();

            decideAt(Duration.ofSeconds(35));
            assertThat(stepIndex()).isEqualTo(1);
        }

        @Test
        void failedChecksRollBackAtTheThreshold() {
            releasingAt(1, Duration.ZERO);
            probes.answer(failed(70.0));

            decideAt(Duration.ofSeconds(5));
            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getFailedChecks()).isEqualTo(1);
            assertThat(events()).containsExactly("CheckFailed");

            decideAt(Duration.ofSeconds(10));
            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            RollbackCause cause = status().getRollbackCause();
            assertThat(cause.getReason()).isEqualTo("AnalysisFailed");
            assertThat(cause.getMetric()).isEqualTo("request-success-rate");
            assertThat(cause.getValue()).isEqualTo(70.0);
            assertThat(ReleasePlan.routingOf(rollout).weights()).isEqualTo(dev.ramp.routing.Weights.ALL_PRIMARY);
            assertThat(events()).contains("RolledBack");
            // Traffic leaves the canary before the status says Failed.
            assertThat(pass.effects()).contains(new Effect.RouteToPrimary());
            assertThat(pass.effects()).anyMatch(e -> e instanceof Effect.ReleaseFinished f && f.outcome().equals("failed"));
        }

        @Test
        void checksTheJudgeFailsRollBackAtTheThresholdWithTheComparisonsInTheCause() {
            releasingAt(1, Duration.ZERO);
            probes.answer(judgedWorse());

            decideAt(Duration.ofSeconds(5));
            assertThat(status().getFailedChecks()).isEqualTo(1);
            decideAt(Duration.ofSeconds(10));

            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            RollbackCause cause = status().getRollbackCause();
            assertThat(cause.getReason()).isEqualTo("AnalysisFailed");
            assertThat(cause.revertsGit()).isTrue();
            assertThat(cause.getMetric()).isNull();
            assertThat(cause.getComparisons()).singleElement().satisfies(m -> {
                assertThat(m.getName()).isEqualTo("request-duration");
                assertThat(m.getComparison().getClassification()).isEqualTo(dev.ramp.api.Classification.High);
            });
            assertThat(cause.getMessage()).startsWith("judge-score: score 0 (pass 95, marginal 75): Failed");
        }

        @Test
        void inconclusiveChecksHoldTheStepAndBackOffWithoutCountingAsFailures() {
            releasingAt(0, Duration.ZERO);
            probes.answer(inconclusive());

            Next next = decideAt(Duration.ofSeconds(5));

            assertThat(stepIndex()).isZero();
            assertThat(status().getFailedChecks()).isZero();
            assertThat(status().getInconclusiveChecks()).isEqualTo(1);
            assertThat(next.after()).contains(Duration.ofSeconds(5));
            decideAt(Duration.ofSeconds(10));
            assertThat(status().getInconclusiveChecks()).isEqualTo(2);
            assertThat(decideAt(Duration.ofSeconds(12)).after()).contains(Duration.ofSeconds(8));
        }

        @Test
        void theJudgesWindowStillFillingHoldsTheStepWithoutUsingUpTheInconclusiveLimit() {
            rollout.getSpec().getAnalysis().setInconclusiveLimit(2);
            releasingAt(0, Duration.ZERO);
            probes.answer(windowFilling());

            for (int second = 5; second <= 60; second += 5) {
                Next next = decideAt(Duration.ofSeconds(second));
                assertThat(next.after()).as("checked again at the usual pace").contains(Duration.ofSeconds(5));
            }

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(stepIndex()).isZero();
            assertThat(status().getInconclusiveChecks()).isZero();
            assertThat(condition(RolloutConditions.ANALYSIS, c -> c.getStatus())).contains(Conditions.FALSE);
            // Once the window is full, a round that still lacks points counts as any inconclusive one.
            probes.answer(inconclusive());
            decideAt(Duration.ofSeconds(65));
            assertThat(status().getInconclusiveChecks()).isEqualTo(1);
        }

        @Test
        void aRoundWithNoEvidenceHoldsTheStepAndNeverPromotes() {
            releasingAt(1, Duration.ZERO);
            probes.answer(new CheckResult(List.of()));

            decideAt(Duration.ofSeconds(30));

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getInconclusiveChecks()).isEqualTo(1);
            assertThat(condition(RolloutConditions.ANALYSIS, c -> c.getStatus())).contains(Conditions.FALSE);
        }

        @Test
        void skipAnalysisPromotesWithoutRunningAnyCheckAndSaysSo() {
            rollout.getSpec().getAnalysis().setSkipAnalysis(true);
            releasingAt(1, Duration.ZERO);
            probes.answer(inconclusive());

            decideAt(Duration.ofSeconds(30));

            assertThat(probes.checksRun).isZero();
            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);
            assertThat(status().getMetrics()).isEmpty();
            assertThat(condition(RolloutConditions.ANALYSIS, c -> c.getReason())).contains(AnalysisReasons.SKIPPED);
            assertThat(condition(RolloutConditions.ANALYSIS, c -> c.getMessage()))
                    .contains("spec.analysis.skipAnalysis is true: the canary is not checked at step 2 of 2: canary weight 50%");
        }

        @Test
        void skipAnalysisClearsAFlagAboutAQueryItNoLongerRuns() {
            releasingAt(0, Duration.ZERO);
            probes.answer(new CheckResult(passed().outcomes(), List.of("metric error-rate: its query does not use {{ revision }}")));
            decideAt(Duration.ofSeconds(5));
            assertThat(condition(AnalysisReasons.REVISION_SELECTED, c -> c.getStatus())).contains(Conditions.FALSE);

            rollout.getSpec().getAnalysis().setSkipAnalysis(true);
            decideAt(Duration.ofSeconds(10));

            assertThat(condition(AnalysisReasons.REVISION_SELECTED, c -> c.getStatus())).isEmpty();
        }

        @Test
        void aMetricWhoseQueryIgnoresTheRevisionIsFlaggedOnceAndTheFlagGoesWhenFixed() {
            releasingAt(0, Duration.ZERO);
            String warning = "metric error-rate: MetricTemplate shop/errors: its query does not use {{ revision }}";
            probes.answer(new CheckResult(passed().outcomes(), List.of(warning)));

            decideAt(Duration.ofSeconds(5));
            assertThat(condition(AnalysisReasons.REVISION_SELECTED, c -> c.getStatus())).contains(Conditions.FALSE);
            assertThat(condition(AnalysisReasons.REVISION_SELECTED, c -> c.getReason()))
                    .contains(AnalysisReasons.QUERY_IGNORES_REVISION);
            assertThat(condition(AnalysisReasons.REVISION_SELECTED, c -> c.getMessage())).contains(warning);
            assertThat(events()).containsExactly(AnalysisReasons.QUERY_IGNORES_REVISION);

            decideAt(Duration.ofSeconds(10));
            assertThat(events()).doesNotContain(AnalysisReasons.QUERY_IGNORES_REVISION);

            probes.answer(passed());
            decideAt(Duration.ofSeconds(15));
            assertThat(condition(AnalysisReasons.REVISION_SELECTED, c -> c.getStatus())).isEmpty();
        }

        @Test
        void afterTheLastStepTheReleaseIsPromoted() {
            releasingAt(1, Duration.ZERO);
            probes.answer(passed());

            decideAt(Duration.ofSeconds(30));

            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);
            assertThat(events()).containsExactly("Promoting");
        }

        @Test
        void withConfirmPromotionHooksTheLastStepWaits() {
            hook(WebhookSpec.Type.ConfirmPromotion);
            releasingAt(1, Duration.ZERO);
            probes.answer(passed());

            decideAt(Duration.ofSeconds(30));

            assertThat(status().getPhase()).isEqualTo(Phase.WaitingPromotion);
            assertThat(stepIndex()).isEqualTo(1);
        }

        @Test
        void aRolloutHookThatSaysNoIsAFailedCheckAndTheStepIsNotLeftUntilItSaysYes() {
            hook(WebhookSpec.Type.Rollout);
            releasingAt(0, Duration.ZERO);
            status().getCurrentStep().setHooksPassedAt(null);
            probes.refuse(WebhookSpec.Type.Rollout, new HookAnswer(500, "load test answered 500", null));
            probes.answer(passed());

            decideAt(Duration.ofSeconds(30));

            assertThat(stepIndex()).isZero();
            assertThat(status().getFailedChecks()).isEqualTo(1);
            assertThat(status().getCurrentStep().getHooksPassedAt()).isNull();
        }

        @Test
        void aPreRolloutHookAnswering429IsInconclusiveAndNeverRollsBackAtThresholdOne() {
            rollout.getSpec().getAnalysis().setThreshold(1);
            hook(WebhookSpec.Type.PreRollout);
            releasingAt(0, Duration.ZERO);
            beforeTraffic();
            probes.refuse(WebhookSpec.Type.PreRollout, new HookAnswer(429, "webhook gate (pre-rollout, url) answered 429",
                    "too many requests"));

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getRollbackCause()).isNull();
            assertThat(status().getFailedChecks()).isZero();
            assertThat(status().getInconclusiveChecks()).isEqualTo(1);
            assertThat(stepIndex()).isNull();
            assertThat(condition(RolloutConditions.WEBHOOKS, c -> c.getReason())).contains(WebhookReasons.HOOK_BUSY);
            assertThat(condition(RolloutConditions.ANALYSIS, c -> c.getReason() + ": " + c.getMessage())).contains(WebhookReasons.HOOK_BUSY
                    + ": check inconclusive (1 in a row of limit 10; the step holds): webhook gate (pre-rollout, url) answered 429:"
                    + " too many requests");
            assertThat(events()).containsExactly(WebhookReasons.HOOK_BUSY);
        }

        @Test
        void aTargetBackOnThePromotedRevisionCancelsTheReleaseWithoutFailingIt() {
            releasingAt(1, Duration.ZERO);
            target = deployment("podinfo", "1.0", 1, true);

            decideAt(Duration.ofSeconds(3));

            assertThat(status().getPhase()).isEqualTo(Phase.Initialized);
            assertThat(status().getLastAppliedRevision()).isEqualTo(revisionOf("1.0"));
            assertThat(status().getRollbackCause()).isNull();
            assertThat(ReleasePlan.routingOf(rollout).weights()).isEqualTo(dev.ramp.routing.Weights.ALL_PRIMARY);
            assertThat(condition(RolloutConditions.PROMOTED, c -> c.getReason())).contains(NewRevisionGuard.CANCELLED);
            assertThat(events()).containsExactly(NewRevisionGuard.CANCELLED);
            // The route left the canary in this pass: its pods answer what the data plane still sends them.
            assertThat(pass.effects()).doesNotContain(new Effect.ScaleDownCanary());

            Next next = decideAt(Duration.ofSeconds(3).plus(IdlePhase.CANARY_DRAIN));
            assertThat(pass.effects()).contains(new Effect.ScaleDownCanary());
            assertThat(next.after()).isEmpty();
        }

        @Test
        void aNewRevisionMidStepRestartsTheAnalysisFromNothing() {
            releasingAt(1, Duration.ZERO);
            status().setFailedChecks(1);
            target = deployment("podinfo", "3.0", 1, true);

            decideAt(Duration.ofSeconds(3));

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(stepIndex()).isNull();
            assertThat(status().getFailedChecks()).isZero();
            assertThat(pass.effects()).containsExactly(new Effect.ScaleUpCanary(revisionOf("3.0")));
            assertThat(events()).containsExactly("ReleaseRestarted");
        }

        @Test
        void aRollbackHookSayingYesRollsBack() {
            hook(WebhookSpec.Type.Rollback);
            releasingAt(0, Duration.ZERO);
            probes.yes(WebhookSpec.Type.Rollback, new HookAnswer(200, "on-call said roll back", null));

            decideAt(Duration.ofSeconds(5));

            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            assertThat(status().getRollbackCause().getReason()).isEqualTo("RollbackRequested");
        }
    }

    @Nested
    class WaitingPromotion {

        @BeforeEach
        void allStepsPassed() {
            hook(WebhookSpec.Type.ConfirmPromotion);
            releasingAt(1, Duration.ZERO);
            status().setPhase(Phase.WaitingPromotion);
        }

        @Test
        void aWaitWrittenByAnOlderOperatorHoldsTheLastStepsTraffic() {
            // An older operator kept the step in status.step, which is gone: every step passed
            // before the wait, so the release holds the last one rather than none.
            status().setCurrentStep(null);

            decideAt(Duration.ZERO);

            assertThat(stepIndex()).isEqualTo(1);
            assertThat(probes.checksRun).as("the step's first check comes checkEvery after it began").isZero();
            assertThat(ReleasePlan.routingOf(rollout).weights().canary()).isEqualTo(50);
            assertThat(status().getCurrentStep().getStartedAt()).isEqualTo(at(Duration.ZERO));
        }

        @Test
        void aYesAfterAPassedCheckPromotes() {
            probes.answer(passed());

            decideAt(Duration.ofSeconds(5));

            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);
        }

        @Test
        void aNoKeepsTheCanaryOnItsLastStepAndChecking() {
            probes.answer(passed());
            probes.refuse(WebhookSpec.Type.ConfirmPromotion, new HookAnswer(403, "not yet", null));

            Next next = decideAt(Duration.ofSeconds(5));

            assertThat(status().getPhase()).isEqualTo(Phase.WaitingPromotion);
            assertThat(ReleasePlan.routingOf(rollout).weights().canary()).isEqualTo(50);
            assertThat(next.after()).contains(Duration.ofSeconds(5));
        }

        @Test
        void aCanaryThatGoesBadWhileWaitingIsRolledBackNotPromoted() {
            probes.answer(failed(50.0));

            decideAt(Duration.ofSeconds(5));
            decideAt(Duration.ofSeconds(10));

            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            assertThat(probes.hooksAsked).doesNotContain(WebhookSpec.Type.ConfirmPromotion);
        }
    }

    @Nested
    class Promoting {

        @BeforeEach
        void promotingVersionTwo() {
            releasingAt(1, Duration.ZERO);
            status().setPhase(Phase.Promoting);
        }

        @Test
        void theAnalysedTemplateGoesToThePrimaryWhileTheCanaryKeepsItsShare() {
            Next next = decideAt(Duration.ZERO);

            assertThat(pass.effects()).containsExactly(new Effect.ApplyPrimary(revisionOf("2.0")));
            assertThat(ReleasePlan.routingOf(rollout).weights().canary()).isEqualTo(50);
            assertThat(next.after()).contains(Duration.ofSeconds(1));
        }

        @Test
        void aReadyPrimaryOnTheRevisionFinalises() {
            primary = primaryRunning("2.0", true);

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Finalising);
            assertThat(ReleasePlan.routingOf(rollout).weights()).isEqualTo(dev.ramp.routing.Weights.ALL_PRIMARY);
        }

        @Test
        void aPrimaryNotReadyPastTheDeadlineIsReportedOnceAndTheCanaryKeepsItsShare() {
            rollout.getSpec().setProgressDeadlineSeconds(60);
            primary = primaryRunning("2.0", false);

            decideAt(Duration.ofSeconds(30));
            assertThat(events()).isEmpty();

            decideAt(Duration.ofSeconds(61));
            assertThat(condition(RolloutConditions.PROMOTED, c -> c.getReason())).contains(PromotingPhase.PRIMARY_NOT_READY);
            assertThat(events()).containsExactly(PromotingPhase.PRIMARY_NOT_READY);
            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);
            assertThat(ReleasePlan.routingOf(rollout).weights().canary()).isEqualTo(50);

            decideAt(Duration.ofSeconds(70));
            assertThat(events()).isEmpty();
        }

        @Test
        void aPromotionRecordedWithoutItsStartBeginsWhenTheOperatorFirstSeesIt() {
            // A status written by an operator before phaseSince existed: the deadline runs from now, never from nothing.
            rollout.getSpec().setProgressDeadlineSeconds(60);
            status().setPhaseSince(null);
            primary = primaryRunning("2.0", false);

            decideAt(Duration.ofSeconds(30));
            assertThat(status().getPhaseSince()).isEqualTo(at(Duration.ofSeconds(30)));

            decideAt(Duration.ofSeconds(61));
            assertThat(events()).isEmpty();

            decideAt(Duration.ofSeconds(91));
            assertThat(events()).containsExactly(PromotingPhase.PRIMARY_NOT_READY);
        }

        @Test
        void aTargetChangedBeforeThePrimaryHasTheTemplateRestartsTheRelease() {
            target = deployment("podinfo", "3.0", 1, true);

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getLastAppliedRevision()).isEqualTo(revisionOf("3.0"));
            assertThat(pass.effects()).doesNotContain(new Effect.ApplyPrimary(revisionOf("3.0")));
            assertThat(events()).containsExactly("ReleaseStarted");
        }

        @Test
        void aTargetChangedOnceThePrimaryHasTheTemplateFinishesThePromotionWithNoTrafficOnTheCanary() {
            target = deployment("podinfo", "3.0", 1, true);
            primary = primaryRunning("2.0", false);

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);
            assertThat(status().getLastAppliedRevision()).isEqualTo(revisionOf("2.0"));
            assertThat(ReleasePlan.routingOf(rollout).weights()).isEqualTo(dev.ramp.routing.Weights.ALL_PRIMARY);
            assertThat(pass.effects()).isEmpty();
        }
    }

    @Test
    void finalisingRecordsThePromotionAndScalesTheCanaryDownOnceTheRouteHasLeftIt() {
        releasingAt(1, Duration.ZERO);
        status().setPhase(Phase.Finalising);
        status().setLastAppliedCommit("abc123");
        target = canaryRunning("2.0", true);

        decideAt(Duration.ofSeconds(40));

        assertThat(status().getPhase()).isEqualTo(Phase.Succeeded);
        assertThat(status().getLastPromotedRevision()).isEqualTo(revisionOf("2.0"));
        assertThat(status().getLastPromotedCommit()).isEqualTo("abc123");
        assertThat(pass.effects()).contains(new Effect.ReleaseFinished("succeeded", Duration.ofSeconds(40)))
                .doesNotContain(new Effect.ScaleDownCanary());
        assertThat(events()).containsExactly("Promoted");

        Next draining = decideAt(Duration.ofSeconds(42));
        assertThat(pass.effects()).doesNotContain(new Effect.ScaleDownCanary());
        assertThat(draining.after()).contains(IdlePhase.CANARY_DRAIN.minusSeconds(2));

        Next drained = decideAt(Duration.ofSeconds(40).plus(IdlePhase.CANARY_DRAIN));
        assertThat(pass.effects()).contains(new Effect.ScaleDownCanary());
        assertThat(drained.after()).isEmpty();
    }

    @Nested
    class Failed {

        @BeforeEach
        void rolledBackForAFailedMetric() {
            releasingAt(0, Duration.ZERO);
            status().setPhase(Phase.Failed);
            status().setCurrentStep(null);
            status().setRollbackCause(new RollbackCause("AnalysisFailed", "request-success-rate 70 below 99"));
            GitRevertSpec revert = new GitRevertSpec();
            revert.setEnabled(true);
            revert.setSourceRef(new LocalObjectRef("apps"));
            rollout.getSpec().setGitRevert(revert);
        }

        @Test
        void theRevertIsRecordedAsIntendedBeforeItIsPushedAndPushedOnce() {
            decideAt(Duration.ZERO);
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getReason())).contains("Reverting");
            assertThat(reverter.requests).isEmpty();

            decideAt(Duration.ofMillis(100));
            assertThat(reverter.requests).hasSize(1);
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getStatus())).contains(Conditions.TRUE);
            assertThat(status().getGitRevert().getCommit()).isEqualTo("f00d");

            decideAt(Duration.ofSeconds(1));
            assertThat(reverter.requests).hasSize(1);
        }

        @Test
        void theCanaryIsScaledDownOnceTheRouteHasLeftItWithoutDelayingTheRevert() {
            Next next = decideAt(Duration.ZERO);
            assertThat(pass.effects()).doesNotContain(new Effect.ScaleDownCanary());
            assertThat(next.after()).as("the revert's next pass, sooner than the drain").contains(Duration.ofMillis(100));

            decideAt(IdlePhase.CANARY_DRAIN);
            assertThat(pass.effects()).contains(new Effect.ScaleDownCanary());
        }

        @Test
        void anInconclusiveRollbackIsNotRevertedInGit() {
            status().setRollbackCause(new RollbackCause(RollbackCause.ANALYSIS_INCONCLUSIVE, "no data"));

            decideAt(Duration.ZERO);
            decideAt(Duration.ofSeconds(1));

            assertThat(reverter.requests).isEmpty();
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getReason())).contains("NotReverted");
        }

        @Test
        void gitUnreachableLeavesTheRevertPendingAndRetried() {
            reverter.next = ReleaseReverter.Outcome.later("GitUnavailable", "connection refused");
            status().setPhaseSince(at(IdlePhase.CANARY_DRAIN.negated()));

            decideAt(Duration.ZERO);
            Next next = decideAt(Duration.ofMillis(100));

            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getStatus())).contains(Conditions.UNKNOWN);
            assertThat(next.after()).contains(Duration.ofSeconds(15));
        }

        @Test
        void eachOutcomeOfTheRevertIsRecordedAsItsStateAndTheConditionFollows() {
            decideAt(Duration.ZERO);
            assertThat(status().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Pending);
            assertThat(status().getGitRevert().getReason()).isEqualTo(GitRevertReasons.REVERTING);

            decideAt(Duration.ofMillis(100));
            assertThat(status().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Reverted);
            assertThat(status().getGitRevert().getCommit()).isEqualTo("f00d");
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getStatus() + "/" + c.getReason()))
                    .contains(Conditions.TRUE + "/Reverted");
        }

        @Test
        void aRevertGitRefusedIsRecordedRefusedAndNotAskedAgain() {
            reverter.next = ReleaseReverter.Outcome.refused(GitRevertReasons.REVERT_CONFLICT, "later commits changed the same lines");

            decideAt(Duration.ZERO);
            decideAt(Duration.ofMillis(100));
            decideAt(Duration.ofSeconds(30));

            assertThat(reverter.requests).hasSize(1);
            assertThat(status().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Refused);
            assertThat(status().getGitRevert().getCommit()).isNull();
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getStatus())).contains(Conditions.FALSE);
        }

        @Test
        void theRevertIsDecidedFromGitRevertAloneNeverFromTheCondition() {
            // Reverted with the condition lost (edited away): nothing is pushed again.
            status().setGitRevert(new GitRevertStatus(GitRevertStatus.State.Reverted, "Reverted", "reverted", "f00d"));
            decideAt(Duration.ZERO);
            assertThat(reverter.requests).isEmpty();

            // Pending with a condition that says otherwise: the push is made.
            status().setGitRevert(new GitRevertStatus(GitRevertStatus.State.Pending, GitRevertReasons.REVERTING, "reverting", null));
            status().setConditions(List.of(Conditions.of(RolloutConditions.GIT_REVERTED, Conditions.TRUE, "Reverted", "stale", 1L, T0)));
            decideAt(Duration.ofSeconds(1));
            assertThat(reverter.requests).hasSize(1);
            assertThat(status().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Reverted);
        }

        @Test
        void gitUnreachableKeepsTheRevertPending() {
            reverter.next = ReleaseReverter.Outcome.later("GitUnavailable", "connection refused");
            status().setPhaseSince(at(IdlePhase.CANARY_DRAIN.negated()));

            decideAt(Duration.ZERO);
            decideAt(Duration.ofMillis(100));

            assertThat(status().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Pending);
            assertThat(status().getGitRevert().getReason()).isEqualTo("GitUnavailable");

            reverter.next = ReleaseReverter.Outcome.done("Reverted", "reverted in commit f00d", "f00d");
            decideAt(Duration.ofSeconds(15));
            assertThat(reverter.requests).hasSize(2);
            assertThat(status().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Reverted);
        }

        @Test
        void aRollbackWithNoEvidenceAgainstTheCommitIsRecordedNotReverted() {
            status().setRollbackCause(new RollbackCause(RollbackCause.CANARY_NOT_SCHEDULED, "unschedulable"));

            decideAt(Duration.ZERO);

            assertThat(status().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.NotReverted);
            assertThat(status().getGitRevert().getMessage()).contains("ramp retry");
            assertThat(reverter.requests).isEmpty();
        }

        @Test
        void aNewReleaseForgetsTheLastRevert() {
            status().setGitRevert(new GitRevertStatus(GitRevertStatus.State.Reverted, "Reverted", "reverted", "f00d"));
            target = canaryRunning("3.0", true);

            decideAt(Duration.ZERO);
            decideAt(Duration.ofMillis(100));

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getGitRevert()).isNull();
            assertThat(condition(RolloutConditions.GIT_REVERTED, c -> c.getStatus())).isEmpty();
        }

        @Test
        void retryStartsTheFailedRevisionAgain() {
            rollout.getMetadata().setAnnotations(Map.of(RolloutActions.ANNOTATION, "retry/1"));

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getLastAction()).isEqualTo("retry/1");
            assertThat(events()).containsExactly("ReleaseStarted");
        }
    }

    @Nested
    class ManualActions {

        @Test
        void promoteSkipsTheRemainingSteps() {
            releasingAt(0, Duration.ZERO);
            rollout.getMetadata().setAnnotations(Map.of(RolloutActions.ANNOTATION, "promote/1"));

            decideAt(Duration.ofSeconds(1));
            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);

            // The same request is carried out once.
            status().setPhase(Phase.Progressing);
            decideAt(Duration.ofSeconds(2));
            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
        }

        @Test
        void abortRollsBack() {
            releasingAt(0, Duration.ZERO);
            rollout.getMetadata().setAnnotations(Map.of(RolloutActions.ANNOTATION, "abort/1"));

            decideAt(Duration.ofSeconds(1));

            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            assertThat(status().getRollbackCause().getReason()).isEqualTo("Aborted");
        }

        @Test
        void aRequestThatMakesNoSenseIsRefusedWithAWarning() {
            status().setPhase(Phase.Initialized);
            status().setLastAppliedRevision(revisionOf("2.0"));
            status().setLastPromotedRevision(revisionOf("2.0"));
            rollout.getMetadata().setAnnotations(Map.of(RolloutActions.ANNOTATION, "abort/1"));

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initialized);
            assertThat(pass.notes()).anyMatch(n -> n.warning() && n.reason().equals("ActionRefused"));
        }

        @Test
        void pausedHoldsTheStepAndRunsNoChecks() {
            releasingAt(0, Duration.ZERO);
            rollout.getSpec().setPaused(true);
            probes.answer(failed(10.0));

            Next next = decideAt(Duration.ofSeconds(30));

            assertThat(probes.checksRun).isZero();
            assertThat(condition(dev.ramp.rollout.ManualActions.PAUSED, c -> c.getStatus())).contains(Conditions.TRUE);
            assertThat(next.after()).isEmpty();
        }
    }

    private void enableGitRevert() {
        GitRevertSpec revert = new GitRevertSpec();
        revert.setEnabled(true);
        revert.setSourceRef(new LocalObjectRef("apps"));
        rollout.getSpec().setGitRevert(revert);
    }

    /** A Pod of the canary of version 2.0, as the informer caches it, with {@code status}. */
    private static io.fabric8.kubernetes.api.model.Pod canaryPod(io.fabric8.kubernetes.api.model.PodStatus status) {
        return new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("podinfo-x").withNamespace("shop")
                .addToLabels("app", "podinfo").addToLabels(Workloads.revisionLabels(revisionOf("2.0"))).endMetadata()
                .withStatus(status).build();
    }

    private static io.fabric8.kubernetes.api.model.PodStatus waitingIn(String reason) {
        return new io.fabric8.kubernetes.api.model.PodStatusBuilder().addNewContainerStatus().withName("app")
                .withImage("podinfo:2.0").withReady(false).withNewState().withNewWaiting().withReason(reason).endWaiting()
                .endState().endContainerStatus().build();
    }

    private void hook(WebhookSpec.Type type) {
        WebhookSpec hook = new WebhookSpec();
        hook.setName(type.name().toLowerCase());
        hook.setType(type);
        hook.setUrl("http://127.0.0.1:1/" + type);
        List<WebhookSpec> hooks = new ArrayList<>(Optional.ofNullable(rollout.getSpec().getAnalysis().getWebhooks()).orElse(List.of()));
        hooks.add(hook);
        rollout.getSpec().getAnalysis().setWebhooks(hooks);
    }

    private static final ThresholdRange MIN_99 = new ThresholdRange(99.0, null);

    private static CheckResult passed() {
        return new CheckResult(List.of(new MetricOutcome(new MetricStatus("request-success-rate", 100.0, MIN_99, Verdict.Passed,
                "within range"), null)));
    }

    private static CheckResult failed(double value) {
        return new CheckResult(List.of(new MetricOutcome(new MetricStatus("request-success-rate", value, MIN_99, Verdict.Failed,
                value + " is below the minimum 99"), CheckFailure.OUT_OF_RANGE)));
    }

    /** The judge classed request-duration High, a critical metric: the score fails the round. */
    private static CheckResult judgedWorse() {
        dev.ramp.api.MetricComparison comparison = new dev.ramp.api.MetricComparison();
        comparison.setClassification(dev.ramp.api.Classification.High);
        MetricStatus duration = new MetricStatus("request-duration", 240.0, new ThresholdRange(), Verdict.Failed, "High");
        duration.setComparison(comparison);
        MetricStatus score = new MetricStatus("judge-score", 0.0, new ThresholdRange(95.0, null), Verdict.Failed,
                "score 0 (pass 95, marginal 75): Failed, a critical metric failed");
        return new CheckResult(List.of(new MetricOutcome(duration, null), new MetricOutcome(score, CheckFailure.JUDGED_WORSE)));
    }

    /** The judge has too few points only because the release is younger than its minimum points' steps. */
    private static CheckResult windowFilling() {
        MetricStatus score = new MetricStatus("judge-score", null, new ThresholdRange(95.0, null), Verdict.Inconclusive,
                "score none (pass 95, marginal 75): Inconclusive, too few points");
        return new CheckResult(List.of(new MetricOutcome(score, CheckFailure.WINDOW_FILLING)));
    }

    private static CheckResult inconclusive() {
        return new CheckResult(List.of(new MetricOutcome(new MetricStatus("request-success-rate", null, MIN_99,
                Verdict.Inconclusive, "Prometheus unreachable"), CheckFailure.PROVIDER_UNAVAILABLE)));
    }

    /** Probe answers from a script: the same check result each time, and per hook type a refusal or a yes. */
    /** A Rollout asking for hosts or gateways that are not its own is held, whatever its phase (RouteGuard). */
    @Nested
    class RefusedRoutes {

        @Test
        void beforeAnyRouteNothingIsCreatedAndTheFieldIsNamed() {
            primary = null;
            rollout.getSpec().getService().setHosts(List.of("podinfo", "web.team-b.svc.cluster.local"));

            Next next = decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initializing);
            assertThat(pass.effects()).isEmpty();
            assertThat(condition(RoutingCondition.TYPE, c -> c.getStatus())).contains(Conditions.FALSE);
            assertThat(condition(RoutingCondition.TYPE, c -> c.getReason())).contains(RoutingCondition.REFUSED);
            assertThat(condition(RoutingCondition.TYPE, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .startsWith("held, nothing routed: spec.service.hosts[1]: web.team-b.svc.cluster.local is not a name"
                            + " of this Rollout's Services"));
            assertThat(events()).containsExactly(RoutingCondition.REFUSED);
            assertThat(next.after()).isEmpty();
        }

        @Test
        void midReleaseTheCanaryKeepsItsShareAndNothingAdvances() {
            releasingAt(0, Duration.ZERO);
            rollout.getSpec().getService().setGateways(List.of("istio-system/public"));

            decideAt(Duration.ofMinutes(5));

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(stepIndex()).isZero();
            assertThat(status().getCanaryWeight()).isEqualTo(20);
            assertThat(pass.effects()).isEmpty();
            assertThat(condition(RoutingCondition.TYPE, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .contains("spec.service.gateways[0]: istio-system/public is a gateway of namespace istio-system, not shop"));
        }

        @Test
        void theSameRefusalIsToldOnce() {
            rollout.getSpec().getService().setHosts(List.of("login.example.com"));
            decideAt(Duration.ZERO);

            decideAt(Duration.ofMinutes(1));

            assertThat(events()).isEmpty();
            assertThat(condition(RoutingCondition.TYPE, c -> c.getLastTransitionTime())).contains(at(Duration.ZERO));
        }

        @Test
        void anAllowedSpecGoesOnFromWhereItWasHeld() {
            primary = null;
            rollout.getSpec().getService().setHosts(List.of("login.example.com"));
            decideAt(Duration.ZERO);

            rollout.getSpec().getService().setHosts(List.of("podinfo.shop.svc.cluster.local"));
            decideAt(Duration.ofMinutes(1));

            assertThat(condition(RoutingCondition.TYPE, c -> c.getStatus())).contains(Conditions.TRUE);
            assertThat(condition(RoutingCondition.TYPE, c -> c.getReason())).contains(RoutingCondition.ALLOWED);
            assertThat(events()).contains(RoutingCondition.ALLOWED);
            assertThat(pass.effects()).containsExactly(new Effect.ApplyPrimary(revisionOf("2.0")));
        }

        @Test
        void aRolloutNeverRefusedHasNoRoutingCondition() {
            rollout.getSpec().getService().setHosts(List.of("podinfo", "podinfo.shop"));

            decideAt(Duration.ZERO);

            assertThat(condition(RoutingCondition.TYPE, c -> c.getReason())).isEmpty();
        }
    }

    /** A Rollout whose router's CRDs are not installed is held, whatever its phase, and goes on once they are (RouterGuard). */
    @Nested
    class RouterNotInstalled {

        private static final String ISTIO_MISSING =
                "Istio's VirtualService and DestinationRule CRDs (networking.istio.io/v1) are not installed";

        @Test
        void beforeAnyRouteNothingIsCreatedAndTheMissingCrdsAreNamed() {
            primary = null;
            routerNotInstalled = Optional.of(ISTIO_MISSING);

            Next next = decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initializing);
            assertThat(pass.effects()).isEmpty();
            assertThat(condition(RoutingCondition.TYPE, c -> c.getStatus())).contains(Conditions.FALSE);
            assertThat(condition(RoutingCondition.TYPE, c -> c.getReason())).contains(RoutingCondition.ROUTER_NOT_INSTALLED);
            assertThat(condition(RoutingCondition.TYPE, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .startsWith(ISTIO_MISSING + "; held"));
            assertThat(events()).containsExactly(RoutingCondition.ROUTER_NOT_INSTALLED);
            assertThat(next.after()).isEmpty();
        }

        @Test
        void midReleaseNothingAdvancesAndTheSameHoldIsToldOnce() {
            releasingAt(0, Duration.ZERO);
            routerNotInstalled = Optional.of(ISTIO_MISSING);
            decideAt(Duration.ofMinutes(5));
            assertThat(events()).containsExactly(RoutingCondition.ROUTER_NOT_INSTALLED);

            decideAt(Duration.ofMinutes(6));

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(stepIndex()).isZero();
            assertThat(status().getCanaryWeight()).isEqualTo(20);
            assertThat(pass.effects()).isEmpty();
            assertThat(events()).isEmpty();
            assertThat(condition(RoutingCondition.TYPE, c -> c.getLastTransitionTime())).contains(at(Duration.ofMinutes(5)));
        }

        @Test
        void onceInstalledTheRolloutGoesOnFromWhereItWasHeld() {
            primary = null;
            routerNotInstalled = Optional.of(ISTIO_MISSING);
            decideAt(Duration.ZERO);

            routerNotInstalled = Optional.empty();
            decideAt(Duration.ofMinutes(1));

            assertThat(condition(RoutingCondition.TYPE, c -> c.getStatus())).contains(Conditions.TRUE);
            assertThat(condition(RoutingCondition.TYPE, c -> c.getReason())).contains(RoutingCondition.ROUTER_INSTALLED);
            assertThat(events()).contains(RoutingCondition.ROUTER_INSTALLED);
            assertThat(pass.effects()).containsExactly(new Effect.ApplyPrimary(revisionOf("2.0")));
        }
    }

    /**
     * A Gateway API route its Gateways have not accepted holds the release in place, whatever the
     * phase, without rolling back; the route is still written (no effect is withheld but the
     * phase's), and the Rollout goes on once it is accepted (RouteAcceptanceGuard).
     */
    @Nested
    class RouteNotAccepted {

        private static final String REFUSAL = "Gateway team/public does not accept the route: its controller example.com/gw"
                + " says Accepted False, reason NotAllowedByListeners: no listener admits it";

        @Test
        void midReleaseNoStepAdvancesNothingIsRevertedAndTheRefusalIsToldOnce() {
            releasingAt(0, Duration.ZERO);
            routeAcceptance = Optional.of(dev.ramp.routing.RouteAcceptance.refused(REFUSAL));
            Next next = decideAt(Duration.ofMinutes(5));

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(stepIndex()).isZero();
            assertThat(status().getCanaryWeight()).isEqualTo(20);
            assertThat(pass.effects()).isEmpty();
            assertThat(next.after()).isEmpty();
            assertThat(events()).containsExactly(RoutingCondition.NOT_ACCEPTED);
            assertThat(condition(RoutingCondition.ACCEPTED_TYPE, c -> c.getStatus())).contains(Conditions.FALSE);
            assertThat(condition(RoutingCondition.ACCEPTED_TYPE, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .isEqualTo("held, the route is written but not in effect: " + REFUSAL));

            decideAt(Duration.ofMinutes(6));

            assertThat(stepIndex()).isZero();
            assertThat(events()).isEmpty();
            assertThat(condition(RoutingCondition.ACCEPTED_TYPE, c -> c.getLastTransitionTime()))
                    .contains(at(Duration.ofMinutes(5)));
        }

        @Test
        void aRouteAwaitingItsFirstReportIsHeldWithoutAnEvent() {
            primary = null;
            routeAcceptance = Optional.of(dev.ramp.routing.RouteAcceptance.pending("the route is not written yet"));

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initializing);
            assertThat(pass.effects()).isEmpty();
            assertThat(events()).isEmpty();
            assertThat(condition(RoutingCondition.ACCEPTED_TYPE, c -> c.getStatus())).contains(Conditions.UNKNOWN);
            assertThat(condition(RoutingCondition.ACCEPTED_TYPE, c -> c.getReason())).contains(RoutingCondition.ACCEPTANCE_PENDING);
        }

        @Test
        void onceAcceptedTheRolloutGoesOnFromWhereItWasHeld() {
            releasingAt(0, Duration.ZERO);
            routeAcceptance = Optional.of(dev.ramp.routing.RouteAcceptance.refused(REFUSAL));
            decideAt(Duration.ofMinutes(5));

            routeAcceptance = Optional.of(dev.ramp.routing.RouteAcceptance.accepted("accepted by Gateway team/public (example.com/gw)"));
            decideAt(Duration.ofMinutes(6));

            assertThat(condition(RoutingCondition.ACCEPTED_TYPE, c -> c.getStatus())).contains(Conditions.TRUE);
            assertThat(events()).contains(RoutingCondition.ACCEPTED);
            // The step's time went by during the hold: the next check is due and the step's work goes on.
            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
        }

        @Test
        void aRolloutMovedToARouterWithoutRouteStatusLosesTheCondition() {
            releasingAt(0, Duration.ZERO);
            routeAcceptance = Optional.of(dev.ramp.routing.RouteAcceptance.refused(REFUSAL));
            decideAt(Duration.ofMinutes(5));

            routeAcceptance = Optional.empty();
            decideAt(Duration.ofMinutes(6));

            assertThat(condition(RoutingCondition.ACCEPTED_TYPE, c -> c.getReason())).isEmpty();
        }
    }

    /**
     * Answers from outside still being asked: the pass holds, changing no status and telling no
     * Event, and looks again at the probe's deadline (the answer's arrival wakes it sooner).
     */
    /**
     * With {@code analysis.baseline}: a baseline of the promoted revision runs beside the canary at
     * its size and weight, no step is taken before it is ready, and it is removed when the release ends.
     */
    @Nested
    class WithABaseline {

        @BeforeEach
        void aBaselineIsAskedFor() {
            rollout.getSpec().getAnalysis().setBaseline(true);
        }

        /** Ramp's baseline as it leaves it: the promoted version 1.0, labelled with its revision. */
        private Deployment baselineRunning(boolean ready) {
            Deployment running = deployment("podinfo-baseline", "1.0", 1, ready);
            running.getMetadata().setAnnotations(Map.of(dev.ramp.kube.Managed.ROLLOUT_ANNOTATION, "podinfo"));
            running.getSpec().getTemplate().getMetadata().getLabels().putAll(Workloads.revisionLabels(revisionOf("1.0")));
            return running;
        }

        @Test
        void eachStepGivesTheBaselineTheCanarysWeightAndThePrimaryTheRest() {
            assertThat(ReleasePlan.of(rollout)).extracting(step -> step.routing().weights()).containsExactly(
                    new dev.ramp.routing.Weights(60, 20, 20), new dev.ramp.routing.Weights(0, 50, 50));
            assertThat(ReleasePlan.of(rollout)).allMatch(step -> step.routing().baseline());
            assertThat(ReleasePlan.of(rollout).get(0).description()).isEqualTo("step 1 of 2: canary weight 20%, baseline 20%");

            rollout.getSpec().getAnalysis().setBaseline(false);
            assertThat(ReleasePlan.of(rollout).get(0).routing().weights()).isEqualTo(new dev.ramp.routing.Weights(80, 20, 0));
            assertThat(ReleasePlan.of(rollout).get(0).routing().routesBaseline()).isFalse();
        }

        @Test
        void noStepIsTakenBeforeTheBaselineIsReadyBesideTheCanary() {
            releasingAt(0, Duration.ZERO);
            beforeTraffic();

            decideAt(Duration.ZERO);

            // The canary is ready, the baseline not there yet: no share for either.
            assertThat(stepIndex()).isNull();
            assertThat(pass.effects()).contains(new Effect.ScaleUpCanary(revisionOf("2.0")),
                    new Effect.RunBaseline(revisionOf("1.0")));
            assertThat(status().getCanaryNotReadySince()).isEqualTo(at(Duration.ZERO));
            var routing = ReleasePlan.routingOf(rollout);
            assertThat(routing.weights()).isEqualTo(dev.ramp.routing.Weights.ALL_PRIMARY);
            // Its Service is made before any route gives it a share.
            assertThat(routing.baseline()).isTrue();

            baseline = baselineRunning(false);
            decideAt(Duration.ofSeconds(5));
            assertThat(stepIndex()).isNull();

            baseline = baselineRunning(true);
            decideAt(Duration.ofSeconds(10));
            assertThat(stepIndex()).isZero();
            assertThat(status().getCanaryWeight()).isEqualTo(20);
            assertThat(ReleasePlan.routingOf(rollout).weights()).isEqualTo(new dev.ramp.routing.Weights(60, 20, 20));
            assertThat(events()).contains("StepAdvanced");
        }

        @Test
        void aBaselineScaledBelowTheCanarysSizeHoldsTheStep() {
            releasingAt(0, Duration.ZERO);
            beforeTraffic();
            primary.getSpec().setReplicas(3);
            target.getSpec().setReplicas(3);
            target.getStatus().setReadyReplicas(3);
            target.getStatus().setUpdatedReplicas(3);
            baseline = baselineRunning(true);

            decideAt(Duration.ZERO);

            assertThat(ReplicaCounts.baseline(rollout, target, Optional.of(primary))).isEqualTo(3);
            assertThat(stepIndex()).isNull();
            assertThat(pass.effects()).contains(new Effect.RunBaseline(revisionOf("1.0")));
        }

        @Test
        void aBaselineNotReadyByTheDeadlineRollsBackWithoutRevertingGit() {
            releasingAt(0, Duration.ZERO);
            baseline = baselineRunning(false);
            rollout.getSpec().setProgressDeadlineSeconds(60);
            enableGitRevert();

            decideAt(Duration.ofSeconds(10));
            decideAt(Duration.ofSeconds(71));

            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.BASELINE_NOT_READY);
            assertThat(status().getRollbackCause().revertsGit()).isFalse();
            assertThat(status().getRollbackCause().getMessage()).isEqualTo("baseline podinfo-baseline of revision "
                    + revisionOf("1.0") + " not ready within 60s");
        }

        @Test
        void aReadyBaselineOfAnotherRevisionHoldsTheStepAndAtTheDeadlineIsNotBlamedOnTheCommit() {
            releasingAt(0, Duration.ZERO);
            beforeTraffic();
            baseline = baselineRunning(true);
            baseline.getSpec().getTemplate().getMetadata().getLabels().putAll(Workloads.revisionLabels(revisionOf("0.9")));
            rollout.getSpec().setProgressDeadlineSeconds(60);

            decideAt(Duration.ofSeconds(10));
            assertThat(stepIndex()).isNull();

            decideAt(Duration.ofSeconds(71));
            assertThat(status().getRollbackCause().getReason()).isEqualTo(RollbackCause.BASELINE_NOT_READY);
        }

        @Test
        void aRollbackRoutesEverythingToThePrimaryAndTheBaselineGoesAfterTheDrain() {
            releasingAt(1, Duration.ZERO);
            baseline = baselineRunning(true);
            probes.answer(failed(70.0));

            decideAt(Duration.ofSeconds(5));
            decideAt(Duration.ofSeconds(10));

            assertThat(status().getPhase()).isEqualTo(Phase.Failed);
            assertThat(pass.effects()).contains(new Effect.RouteToPrimary());
            assertThat(pass.effects()).doesNotContain(new Effect.DeleteBaseline());
            var routing = ReleasePlan.routingOf(rollout);
            assertThat(routing.weights()).isEqualTo(dev.ramp.routing.Weights.ALL_PRIMARY);
            assertThat(routing.routesBaseline()).isFalse();

            decideAt(Duration.ofSeconds(12));
            assertThat(pass.effects()).doesNotContain(new Effect.DeleteBaseline());

            decideAt(Duration.ofSeconds(10).plus(IdlePhase.CANARY_DRAIN));
            assertThat(pass.effects()).contains(new Effect.ScaleDownCanary(), new Effect.DeleteBaseline());
        }

        @Test
        void aPromotionKeepsTheBaselineUntilThePrimaryIsReadyThenRemovesItAfterTheDrain() {
            releasingAt(1, Duration.ZERO);
            baseline = baselineRunning(true);
            status().setPhase(Phase.Promoting);
            status().setPhaseSince(at(Duration.ZERO));
            primary = primaryRunning("2.0", false);

            decideAt(Duration.ofSeconds(1));
            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);
            assertThat(ReleasePlan.routingOf(rollout).weights()).isEqualTo(new dev.ramp.routing.Weights(0, 50, 50));
            assertThat(pass.effects()).doesNotContain(new Effect.RunBaseline(revisionOf("1.0")));

            primary = primaryRunning("2.0", true);
            decideAt(Duration.ofSeconds(2));
            decideAt(Duration.ofSeconds(3));
            assertThat(status().getPhase()).isEqualTo(Phase.Succeeded);
            assertThat(ReleasePlan.routingOf(rollout).routesBaseline()).isFalse();
            assertThat(pass.effects()).doesNotContain(new Effect.DeleteBaseline());

            target = canaryRunning("2.0", true);
            decideAt(Duration.ofSeconds(3).plus(IdlePhase.CANARY_DRAIN));
            assertThat(pass.effects()).contains(new Effect.ScaleDownCanary(), new Effect.DeleteBaseline());

            baseline = null;
            decideAt(Duration.ofSeconds(30));
            assertThat(pass.effects()).doesNotContain(new Effect.DeleteBaseline());
        }

        @Test
        void aUsersDeploymentOfTheSameNameIsNeverDeleted() {
            status().setPhase(Phase.Succeeded);
            status().setLastAppliedRevision(revisionOf("2.0"));
            status().setLastPromotedRevision(revisionOf("2.0"));
            status().setPhaseSince(at(Duration.ofMinutes(-1)));
            primary = primaryRunning("2.0", true);
            baseline = deployment("podinfo-baseline", "1.0", 1, true);

            decideAt(Duration.ZERO);

            assertThat(pass.effects()).contains(new Effect.ScaleDownCanary()).doesNotContain(new Effect.DeleteBaseline());
        }
    }

    /** Without a mesh (provider None): the weights are shares of the pods, and what needs a router is refused. */
    @Nested
    class WithoutAMesh {

        @BeforeEach
        void noMesh() {
            rollout.getSpec().getService().setProvider(dev.ramp.api.RoutingProvider.None);
        }

        @Test
        void eachStepRecordsTheShareThePodsAchieveNotTheWeightAsked() {
            releasingAt(0, Duration.ZERO);
            beforeTraffic();
            primary.getSpec().setReplicas(4);

            decideAt(Duration.ZERO);

            // 20% beside 4 primary pods is 1 canary pod: 1 of 5, 20%.
            assertThat(stepIndex()).isZero();
            assertThat(status().getCanaryWeight()).isEqualTo(20);

            probes.answer(passed());
            decideAt(Duration.ofSeconds(30));

            // 50% would be 4 pods; the target's default maxSurge (25% of 4) allows 1: still 20%.
            assertThat(stepIndex()).isEqualTo(1);
            assertThat(status().getCanaryWeight()).isEqualTo(20);
            assertThat(ReleasePlan.routingOf(rollout).weights().canary()).isEqualTo(50);
        }

        @Test
        void aTargetThatAllowsNoSurgePodIsHeldNamingItsStrategy() {
            primary = null;
            target.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder().withType("Recreate")
                    .build());

            decideAt(Duration.ZERO);

            assertThat(status().getPhase()).isEqualTo(Phase.Initializing);
            assertThat(pass.effects()).isEmpty();
            assertThat(condition(RoutingCondition.TYPE, c -> c.getReason())).contains(RoutingCondition.REFUSED);
            assertThat(condition(RoutingCondition.TYPE, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .contains("Deployment podinfo spec.strategy: Recreate allows no pod above the primary's"));
        }

        @Test
        void whatOnlyARouterCanDoIsRefusedFieldByField() {
            releasingAt(0, Duration.ZERO);
            rollout.getSpec().getService().setHosts(List.of("podinfo.example.com"));
            rollout.getSpec().getAnalysis().setMirror(true);

            decideAt(Duration.ofMinutes(5));

            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(pass.effects()).isEmpty();
            assertThat(condition(RoutingCondition.TYPE, c -> c.getMessage())).hasValueSatisfying(m -> assertThat(m)
                    .contains("spec.analysis.mirror: mirroring copies each request to the canary")
                    .contains("spec.service.hosts: hosts belong to a route; with provider None clients call the Service podinfo"));
        }
    }

    @Nested
    class Pending {

        private String statusBefore;

        private Next decideHolding(Duration sinceT0) {
            statusBefore = io.fabric8.kubernetes.client.utils.Serialization.asJson(status());
            return decideAt(sinceT0);
        }

        private void assertHeld(Next next) {
            assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(status())).isEqualTo(statusBefore);
            assertThat(pass.notes()).isEmpty();
            // Only the release's standing intent (the canary kept scaled up), nothing new.
            assertThat(pass.effects()).allMatch(e -> e instanceof Effect.ScaleUpCanary);
            assertThat(next.after()).contains(ScriptedProbes.LOOK_AGAIN);
        }

        @Test
        void pendingChecksHoldTheStepWithoutRecordingACheck() {
            releasingAt(1, Duration.ZERO);
            probes.answer(failed(10.0));
            probes.pending(true);

            Next next = decideHolding(Duration.ofSeconds(30));

            assertHeld(next);
            assertThat(status().getFailedChecks()).isZero();
            assertThat(stepIndex()).isEqualTo(1);

            probes.pending(false);
            decideAt(Duration.ofSeconds(31));
            assertThat(status().getFailedChecks()).as("the answer, once in, is judged").isEqualTo(1);
        }

        @Test
        void aPendingRollbackHookHoldsEvenWhenTheChecksWouldPromote() {
            hook(WebhookSpec.Type.Rollback);
            releasingAt(1, Duration.ZERO);
            probes.answer(passed());
            probes.pending(false, WebhookSpec.Type.Rollback);

            Next next = decideHolding(Duration.ofSeconds(30));

            assertHeld(next);
            assertThat(status().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(status().getIterations()).isNull();
        }

        @Test
        void aPendingConfirmRolloutHoldsBeforeTrafficAndNoPreRolloutHookIsAsked() {
            hook(WebhookSpec.Type.ConfirmRollout);
            hook(WebhookSpec.Type.PreRollout);
            releasingAt(0, Duration.ZERO);
            beforeTraffic();
            status().setCanaryWeight(0);
            probes.pending(false, WebhookSpec.Type.ConfirmRollout);

            Next next = decideHolding(Duration.ofSeconds(1));

            assertHeld(next);
            assertThat(probes.hooksAsked).doesNotContain(WebhookSpec.Type.PreRollout);
            assertThat(ReleasePlan.routingOf(rollout).weights().canary()).isZero();
        }

        @Test
        void aPendingConfirmPromotionHoldsBeforeTheCheckIsRecorded() {
            hook(WebhookSpec.Type.ConfirmPromotion);
            releasingAt(1, Duration.ZERO);
            status().setPhase(Phase.WaitingPromotion);
            probes.answer(passed());
            probes.pending(false, WebhookSpec.Type.ConfirmPromotion);

            Next next = decideHolding(Duration.ofSeconds(5));

            assertHeld(next);
            assertThat(status().getCurrentStep().getLastCheckAt()).as("the round stays open for the answer").isEqualTo(at(Duration.ZERO));

            probes.pending(false);
            decideAt(Duration.ofSeconds(6));
            assertThat(status().getPhase()).isEqualTo(Phase.Promoting);
        }
    }

    private static final class ScriptedProbes implements Probes {

        static final Duration LOOK_AGAIN = Duration.ofSeconds(15);

        private CheckResult result = new CheckResult(List.of());
        private final Map<WebhookSpec.Type, HookAnswer> refusals = new EnumMap<>(WebhookSpec.Type.class);
        private final Map<WebhookSpec.Type, HookAnswer> yeses = new EnumMap<>(WebhookSpec.Type.class);
        private final java.util.Set<WebhookSpec.Type> pendingHooks = java.util.EnumSet.noneOf(WebhookSpec.Type.class);
        private boolean checksPending;
        private int checksRun;
        private final List<WebhookSpec.Type> hooksAsked = new ArrayList<>();

        void answer(CheckResult result) {
            this.result = result;
        }

        void refuse(WebhookSpec.Type type, HookAnswer answer) {
            refusals.put(type, answer);
        }

        void yes(WebhookSpec.Type type, HookAnswer answer) {
            yeses.put(type, answer);
        }

        /** The checks' answer, or the hooks of {@code type}, are still being asked. */
        void pending(boolean checks, WebhookSpec.Type... types) {
            checksPending = checks;
            pendingHooks.clear();
            pendingHooks.addAll(List.of(types));
        }

        @Override
        public Observation<CheckResult> checks(RolloutContext context) {
            if (checksPending) {
                return Observation.pending(LOOK_AGAIN);
            }
            checksRun++;
            return Observation.ready(result);
        }

        @Override
        public Observation<Optional<HookAnswer>> firstRefusal(RolloutContext context, WebhookSpec.Type type) {
            return hook(type, refusals);
        }

        @Override
        public Observation<Optional<HookAnswer>> firstYes(RolloutContext context, WebhookSpec.Type type) {
            return hook(type, yeses);
        }

        private Observation<Optional<HookAnswer>> hook(WebhookSpec.Type type, Map<WebhookSpec.Type, HookAnswer> answers) {
            if (pendingHooks.contains(type)) {
                return Observation.pending(LOOK_AGAIN);
            }
            hooksAsked.add(type);
            return Observation.ready(Optional.ofNullable(answers.get(type)));
        }
    }

    /** A Git side that records each revert asked of it and answers as told. */
    private static final class RecordingReverter implements ReleaseReverter {

        private final Deque<Request> requests = new ArrayDeque<>();
        private Outcome next = Outcome.done("Reverted", "reverted in commit f00d", "f00d");

        @Override
        public Outcome revert(Request request) {
            requests.add(request);
            return next;
        }
    }
}
