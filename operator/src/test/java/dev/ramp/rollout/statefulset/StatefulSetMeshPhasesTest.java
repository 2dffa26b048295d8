package dev.ramp.rollout.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.analysis.CheckFailure;
import dev.ramp.analysis.CheckResult;
import dev.ramp.analysis.MetricOutcome;
import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingCondition;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.SessionAffinity;
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
import dev.ramp.rollout.ReleasePlan;
import dev.ramp.rollout.Reverts;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.routing.Routing;
import dev.ramp.routing.Weights;
import dev.ramp.work.Observation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A StatefulSet released behind a router (docs/statefulsets.md#behind-a-router), as pure decisions
 * with a fixed time: what is asserted is the route the written status gives
 * ({@link ReleasePlan#routingOf}, which the reconciler applies after the status write and before
 * the effects), beside the partition each pass sets. No side gets a share before its pods are
 * ready, and none keeps one while its last pods move.
 */
class StatefulSetMeshPhasesTest {

    private static final Instant T0 = Instant.parse("2026-12-04T04:00:00Z");
    private static final String V1 = "db-5c8f7d9b4";
    private static final String V2 = "db-7d9b4c8f5";

    private final ScriptedChecks probes = new ScriptedChecks();
    private PhaseHandlerRegistry machine = machine();

    private Rollout rollout;
    private StatefulSet set;
    private RolloutContext pass;
    private int replicas = 5;

    private PhaseHandlerRegistry machine() {
        return new PhaseHandlerRegistry(List.of(), PhaseHandlerRegistry.statefulSetHandlers(probes,
                Reverts.inline(request -> ReleaseReverter.Outcome.done("Reverted", "reverted in commit f00d", "f00d"))));
    }

    @BeforeEach
    void aStatefulSetOfFivePodsBehindIstioReleasedInStepsOf20And50() {
        rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName("db").withNamespace("shop").withGeneration(1L).build());
        RolloutSpec spec = new RolloutSpec();
        TargetRef target = new TargetRef("db");
        target.setKind(TargetRef.STATEFUL_SET);
        spec.setTargetRef(target);
        ServiceSpec service = new ServiceSpec();
        service.setPort(80);
        service.setProvider(RoutingProvider.Istio);
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

    private StatefulSet statefulSet(int partition, String current, String update, int onCurrent, int onUpdate, int ready) {
        return new StatefulSetBuilder()
                .withNewMetadata().withName("db").withNamespace("shop").withGeneration(2L)
                .addToAnnotations("ramp.dev/commit", "c0ffee").endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName("db-headless")
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate().withPartition(partition).endRollingUpdate()
                .endUpdateStrategy().endSpec()
                .withNewStatus().withObservedGeneration(2L).withReplicas(replicas).withCurrentRevision(current).withUpdateRevision(update)
                .withCurrentReplicas(onCurrent).withUpdatedReplicas(onUpdate).withReadyReplicas(ready).endStatus()
                .build();
    }

    private Next decideAt(Duration sinceT0) {
        return decideAt(sinceT0, Optional.empty());
    }

    private Next decideAt(Duration sinceT0, Optional<String> routerNotInstalled) {
        pass = RolloutContext.ofStatefulSet(rollout, set, List.of(), TemplateLookup.of(List.of()), T0.plus(sinceT0), routerNotInstalled,
                Optional.empty());
        return machine.decide(pass);
    }

    private RolloutStatus status() {
        return rollout.getStatus();
    }

    /** The split the route carries after this pass's status write. */
    private Weights route() {
        return ReleasePlan.routingOf(rollout).weights();
    }

    private List<Integer> partitions() {
        return pass.effects().stream().filter(e -> e instanceof Effect.Partition).map(e -> ((Effect.Partition) e).partition()).toList();
    }

    private static String at(Duration after) {
        return Timestamps.format(T0.plus(after));
    }

    private void releasingAt(Integer step, Duration since) {
        status().setPhase(Phase.Progressing);
        status().setPhaseSince(at(Duration.ZERO));
        status().setReleaseStartTime(at(Duration.ZERO));
        status().setLastAppliedRevision(V2);
        status().setLastAppliedCommit("c0ffee");
        status().setLastPromotedRevision(V1);
        status().setCanaryWeight(0);
        status().setCurrentStep(new StepStatus(step, at(since)));
    }

    @Test
    void eachStepsWeightReachesTheRouteOnlyOnceItsPodsAreReady() {
        releasingAt(null, Duration.ZERO);
        set = statefulSet(5, V1, V2, 5, 0, 5);
        decideAt(Duration.ofSeconds(31));
        assertThat(status().getCurrentStep().getIndex()).isZero();
        assertThat(partitions()).last().isEqualTo(4);
        assertThat(route()).as("ordinal 4 is not on the revision yet: the canary's Service has no pod").isEqualTo(Weights.ALL_PRIMARY);
        assertThat(pass.notes()).extracting(RolloutContext.Note::message).contains("Step 1 of 2: canary weight 20% (StatefulSet:"
                + " partition 4, 1 of 5 pod on revision " + V2 + ", the route gives Service db-canary 20% once they are ready)");

        // Ordinal 4 runs the revision but is not ready: still nothing on the canary.
        set = statefulSet(4, V1, V2, 4, 1, 4);
        decideAt(Duration.ofSeconds(32));
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);

        // Ready: the step's weight, exactly (a mesh splits by request, not by pod), but only
        // once the data plane has had time to learn the pod's endpoint.
        set = statefulSet(4, V1, V2, 4, 1, 5);
        probes.result = inconclusive();
        decideAt(Duration.ofSeconds(33));
        assertThat(route()).as("seen ready now: the Service's endpoints are not in the data plane yet").isEqualTo(Weights.ALL_PRIMARY);
        assertThat(status().getCurrentStep().getReadySince()).isEqualTo(at(Duration.ofSeconds(33)));
        decideAt(Duration.ofSeconds(35));
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);
        decideAt(Duration.ofSeconds(36));
        assertThat(route()).isEqualTo(new Weights(80, 20));
        assertThat(status().getCurrentStep().getStartedAt()).as("the step's hold counts from its first request")
                .isEqualTo(at(Duration.ofSeconds(36)));

        // The step passes after its hold: partition 2 (3 pods), but the route keeps 20% until ordinals 2 and 3 are ready.
        probes.result = passed();
        decideAt(Duration.ofSeconds(65));
        assertThat(status().getCurrentStep().getIndex()).as("held 30 s from the first request").isZero();
        decideAt(Duration.ofSeconds(75));
        assertThat(status().getCurrentStep().getIndex()).isEqualTo(1);
        assertThat(partitions()).last().isEqualTo(2);
        assertThat(route()).isEqualTo(new Weights(80, 20));

        set = statefulSet(2, V1, V2, 3, 2, 4);
        decideAt(Duration.ofSeconds(77));
        assertThat(route()).as("ordinals 2 and 3 still moving").isEqualTo(new Weights(80, 20));

        set = statefulSet(2, V1, V2, 2, 3, 5);
        probes.result = inconclusive();
        decideAt(Duration.ofSeconds(78));
        assertThat(route()).isEqualTo(new Weights(80, 20));
        decideAt(Duration.ofSeconds(81));
        assertThat(route()).isEqualTo(new Weights(50, 50));
        assertThat(status().getCanaryWeight()).isEqualTo(50);
    }

    @Test
    void aStepThatMovesThePrimarysLastPodsGivesTheCanaryEverythingFirst() {
        rollout.getSpec().getAnalysis().setStepWeights(List.of(20, 100));
        releasingAt(0, Duration.ZERO);
        status().setCanaryWeight(20);
        status().getCurrentStep().setReadySince(at(Duration.ZERO));
        set = statefulSet(4, V1, V2, 4, 1, 5);
        probes.result = passed();
        decideAt(Duration.ofSeconds(31));

        assertThat(status().getCurrentStep().getIndex()).isEqualTo(1);
        assertThat(partitions()).last().isEqualTo(0);
        assertThat(route()).as("written before the partition: no request goes to a Service whose pods all move")
                .isEqualTo(new Weights(0, 100));
    }

    @Test
    void aStatefulSetOfOnePodRoutesToTheCanaryOnlyOnceItsPodIsReady() {
        replicas = 1;
        releasingAt(null, Duration.ZERO);
        set = statefulSet(1, V1, V2, 1, 0, 1);
        decideAt(Duration.ofSeconds(31));
        assertThat(partitions()).last().isEqualTo(0);
        assertThat(route()).as("the canary has no ready pod to take the traffic").isEqualTo(Weights.ALL_PRIMARY);

        set = statefulSet(0, V2, V2, 1, 1, 1);
        probes.result = inconclusive();
        decideAt(Duration.ofSeconds(40));
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);
        decideAt(Duration.ofSeconds(43));
        assertThat(route()).isEqualTo(new Weights(0, 100));
    }

    @Test
    void promotionRoutesEverythingToTheCanaryThenMovesThePodsThenSwitchesThePrimarysSelectorThenTheRoute() {
        releasingAt(1, Duration.ZERO);
        status().setCanaryWeight(50);
        status().setPhase(Phase.Promoting);
        set = statefulSet(2, V1, V2, 2, 3, 5);
        decideAt(Duration.ofSeconds(1));
        assertThat(route()).isEqualTo(new Weights(0, 100));
        assertThat(partitions()).containsExactly(0);
        assertThat(status().getLastPromotedRevision()).as("the primary's Service still selects the promoted revision").isEqualTo(V1);

        // Ordinals 0 and 1 moving: the canary keeps everything.
        set = statefulSet(0, V1, V2, 1, 4, 4);
        decideAt(Duration.ofSeconds(5));
        assertThat(route()).isEqualTo(new Weights(0, 100));
        assertThat(status().getPhase()).isEqualTo(Phase.Promoting);

        // Every pod on the revision, ready: the revision is promoted (the primary's Service selects it),
        // the partition rests, and the route still sends everything to the canary's Service.
        set = statefulSet(0, V2, V2, 5, 5, 5);
        Next next = decideAt(Duration.ofSeconds(20));
        assertThat(status().getPhase()).isEqualTo(Phase.Finalising);
        assertThat(status().getLastPromotedRevision()).isEqualTo(V2);
        assertThat(partitions()).containsExactly(5);
        assertThat(route()).isEqualTo(new Weights(0, 100));
        assertThat(next.after()).contains(StatefulSetPromotingPhase.ENDPOINTS);

        set = statefulSet(5, V2, V2, 5, 5, 5);
        decideAt(Duration.ofSeconds(21));
        assertThat(status().getPhase()).as("the primary's Service is given time to find its pods").isEqualTo(Phase.Finalising);
        assertThat(route()).isEqualTo(new Weights(0, 100));

        decideAt(Duration.ofSeconds(23));
        assertThat(status().getPhase()).isEqualTo(Phase.Succeeded);
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);
        assertThat(partitions()).containsExactly(5);
        assertThat(Conditions.isTrue(status().getConditions(), "Promoted")).isTrue();
    }

    @Test
    void anOperatorRestartedMidPromotionResumesFromStatus() {
        releasingAt(1, Duration.ZERO);
        status().setCanaryWeight(100);
        status().setPhase(Phase.Promoting);
        set = statefulSet(0, V1, V2, 1, 4, 4);
        machine = machine();
        decideAt(Duration.ofSeconds(9));
        assertThat(route()).isEqualTo(new Weights(0, 100));
        assertThat(partitions()).containsExactly(0);

        // Killed after the Finalising write: a new operator finds the revision promoted and the time passed.
        status().setPhase(Phase.Finalising);
        status().setPhaseSince(at(Duration.ofSeconds(10)));
        status().setLastPromotedRevision(V2);
        set = statefulSet(5, V2, V2, 5, 5, 5);
        machine = machine();
        decideAt(Duration.ofSeconds(30));
        assertThat(status().getPhase()).isEqualTo(Phase.Succeeded);
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);
    }

    @Test
    void aRollbackRoutesToThePrimaryInItsFirstPassBeforeTheTemplateIsWrittenBack() {
        releasingAt(1, Duration.ZERO);
        status().setCanaryWeight(50);
        status().getCurrentStep().setReadySince(at(Duration.ZERO));
        set = statefulSet(2, V1, V2, 2, 3, 5);
        probes.result = failed();
        decideAt(Duration.ofSeconds(31));

        assertThat(status().getPhase()).isEqualTo(Phase.Failed);
        assertThat(pass.effects()).contains(new Effect.RouteToPrimary()).noneMatch(e -> e instanceof Effect.RestoreTemplate);
        assertThat(partitions()).as("held where the step had it").containsOnly(2);
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);

        decideAt(Duration.ofSeconds(32));
        assertThat(pass.effects()).contains(new Effect.RestoreTemplate(V1));
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);
    }

    @Test
    void atRestEverythingGoesToThePrimary() {
        for (Phase phase : List.of(Phase.Initialized, Phase.Succeeded, Phase.Failed)) {
            status().setPhase(phase);
            status().setCanaryWeight(30);
            assertThat(route()).as(phase.toString()).isEqualTo(Weights.ALL_PRIMARY);
        }
        status().setPhase(null);
        decideAt(Duration.ZERO);
        assertThat(status().getPhase()).isEqualTo(Phase.Initialized);
        assertThat(route()).isEqualTo(Weights.ALL_PRIMARY);
    }

    @Test
    void sessionAffinityKeepsTheCanarysUsersOnItsRevisionWhileItHasAShare() {
        rollout.getSpec().getAnalysis().setSessionAffinity(new SessionAffinity("canary", "1h"));
        releasingAt(0, Duration.ZERO);
        status().setCanaryWeight(20);
        Routing routing = ReleasePlan.routingOf(rollout);
        assertThat(routing.sessionCookie()).isPresent();
        assertThat(routing.sessionCookie().get().value()).isEqualTo(V2);
        assertThat(routing.canaryMatch()).hasSize(1);

        status().setCanaryWeight(0);
        assertThat(ReleasePlan.routingOf(rollout).canaryMatch()).as("no share, no pod ready: no cookie routes to it").isEmpty();
    }

    @Test
    void aRouterNotInstalledHoldsTheRelease() {
        releasingAt(null, Duration.ZERO);
        set = statefulSet(5, V1, V2, 5, 0, 5);
        decideAt(Duration.ofSeconds(31), Optional.of("VirtualService (networking.istio.io/v1) is not installed"));

        assertThat(status().getCurrentStep().getIndex()).as("no step").isNull();
        assertThat(pass.effects()).isEmpty();
        assertThat(Conditions.find(status().getConditions(), RoutingCondition.TYPE).orElseThrow().getReason())
                .isEqualTo(RoutingCondition.ROUTER_NOT_INSTALLED);
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

    /** No data yet: the step holds, neither passed nor failed. */
    private static CheckResult inconclusive() {
        return new CheckResult(List.of(new MetricOutcome(new MetricStatus("success-rate", null, MIN_99, Verdict.Inconclusive,
                "no data"), null)));
    }

    /** Checks answered at once, as told; no webhooks. */
    private static final class ScriptedChecks implements Probes {

        private CheckResult result = new CheckResult(List.of());

        @Override
        public Observation<CheckResult> checks(RolloutContext context) {
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
