package dev.ramp.rollout;

import dev.ramp.api.StepPlan;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Durations;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.SessionAffinity;
import dev.ramp.api.Strategy;
import dev.ramp.routing.Routing;
import dev.ramp.routing.SessionCookie;
import dev.ramp.routing.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The steps of a release by strategy; each is held for one analysis interval and must pass its
 * checks before the next. Canary: one step per weight (with {@code analysis.baseline}, the
 * baseline takes the same weight, the primary the rest: {@link Weights#withBaseline}). BlueGreen: {@code iterations} checks with
 * no live traffic on the canary (mirrored when asked), then one check with all traffic on it.
 * ABTest: {@code iterations} checks with only the matching requests on the canary.
 */
public final class ReleasePlan {

    private static final Set<Phase> HOLDS_A_STEP = Set.of(Phase.Progressing, Phase.WaitingPromotion, Phase.Promoting);
    private static final Set<Phase> STATEFUL_SET_ROUTED = Set.of(Phase.Progressing, Phase.WaitingPromotion, Phase.Promoting,
            Phase.Finalising);

    /** One step: where traffic goes, and how an Event tells it. */
    public record Step(Routing routing, String description) {
    }

    private ReleasePlan() {
    }

    /**
     * Where traffic goes for a Rollout in the state its status records: the current step's
     * routing while a release holds a step (Progressing, WaitingPromotion, and Promoting until the
     * primary is ready), everything to the primary otherwise. The mesh is never read back.
     */
    public static Routing routingOf(Rollout rollout) {
        RolloutStatus status = rollout.getStatus();
        if (rollout.getSpec().getTargetRef() != null && rollout.getSpec().getTargetRef().isStatefulSet()) {
            return statefulSetRouting(rollout);
        }
        Integer index = status == null || status.getCurrentStep() == null ? null : status.getCurrentStep().getIndex();
        if (index == null || !HOLDS_A_STEP.contains(status.getPhase())) {
            // Before the first step the baseline's Service is made ready for the route, with no share yet.
            return status != null && status.getPhase() == Phase.Progressing && Baseline.wanted(rollout)
                    ? Routing.of(Weights.ALL_PRIMARY).withBaseline() : Routing.of(Weights.ALL_PRIMARY);
        }
        List<Step> steps = of(rollout);
        Routing routing = steps.get(Math.min(index, steps.size() - 1)).routing();
        return sessionCookie(rollout).filter(c -> routing.weights().canary() > 0 && routing.weights().canary() < 100)
                .map(routing::sticky).orElse(routing);
    }

    /**
     * A StatefulSet target's routing behind a router: its pods move step by step with the partition,
     * and the canary's share is {@code status.canaryWeight}, which its phases raise only once the
     * step's pods are ready and set to 100 before the primary's last pods move
     * ({@code StatefulSetProgressingPhase}, {@code StatefulSetPromotingPhase}); everything to the
     * primary outside a release.
     */
    private static Routing statefulSetRouting(Rollout rollout) {
        RolloutStatus status = rollout.getStatus();
        if (status == null || status.getCanaryWeight() == null || !STATEFUL_SET_ROUTED.contains(status.getPhase())) {
            return Routing.ALL_PRIMARY;
        }
        int weight = Math.max(0, Math.min(100, status.getCanaryWeight()));
        Routing routing = Routing.of(Weights.canary(weight));
        return sessionCookie(rollout).filter(c -> weight > 0 && weight < 100).map(routing::sticky).orElse(routing);
    }

    /**
     * The cookie that keeps a user on the canary ({@code analysis.sessionAffinity}) for the
     * revision being released; only a Canary strategy has one.
     */
    private static Optional<SessionCookie> sessionCookie(Rollout rollout) {
        AnalysisSpec analysis = rollout.getSpec().getAnalysis();
        SessionAffinity affinity = analysis == null ? null : analysis.getSessionAffinity();
        String revision = rollout.getStatus().getLastAppliedRevision();
        if (affinity == null || revision == null || RolloutSpec.effectiveStrategy(rollout.getSpec()) != Strategy.Canary) {
            return Optional.empty();
        }
        String maxAge = affinity.getMaxAge() == null ? SessionAffinity.DEFAULT_MAX_AGE : affinity.getMaxAge();
        return Optional.of(new SessionCookie(affinity.getCookieName(), revision, Durations.parse(maxAge)));
    }

    /**
     * The steps of a Rollout whose target's size does not enter its plan: any but a StatefulSet's
     * counted in pods ({@code stepReplicas}), which needs {@link #of(Rollout, int)}.
     */
    public static List<Step> of(Rollout rollout) {
        if (StepPlan.pods(rollout.getSpec().getAnalysis()).isPresent()) {
            throw new IllegalStateException("steps counted in pods (analysis.stepReplicas) need the target's replicas");
        }
        return of(rollout, 0);
    }

    /** How many steps a release of the Rollout takes, its target's size aside. */
    public static int size(Rollout rollout) {
        AnalysisSpec analysis = rollout.getSpec().getAnalysis();
        return switch (RolloutSpec.effectiveStrategy(rollout.getSpec())) {
            case BlueGreen -> AnalysisSpec.effectiveIterations(analysis) + 1;
            case ABTest -> AnalysisSpec.effectiveIterations(analysis);
            default -> StepPlan.count(analysis);
        };
    }

    /**
     * The steps of a Rollout whose target has {@code replicas} pods: a step counted in pods
     * ({@code stepReplicas}) has the share of them its pods make as its weight.
     */
    public static List<Step> of(Rollout rollout, int replicas) {
        AnalysisSpec analysis = rollout.getSpec().getAnalysis();
        Strategy strategy = RolloutSpec.effectiveStrategy(rollout.getSpec());
        int iterations = AnalysisSpec.effectiveIterations(analysis);
        List<Step> steps = new ArrayList<>();
        switch (strategy) {
            case BlueGreen -> {
                boolean mirror = analysis != null && Boolean.TRUE.equals(analysis.getMirror());
                for (int i = 1; i <= iterations; i++) {
                    steps.add(new Step(Routing.dark(mirror), "check " + i + " of " + iterations + " with no live traffic"
                            + (mirror ? " (live traffic mirrored to the canary)" : "")));
                }
                steps.add(new Step(Routing.of(Weights.canary(100)), "all traffic switched to the canary"));
            }
            case ABTest -> {
                for (int i = 1; i <= iterations; i++) {
                    steps.add(new Step(Routing.abTest(analysis.getMatch()), "check " + i + " of " + iterations
                            + " with only matching requests on the canary"));
                }
            }
            default -> {
                Optional<List<Integer>> pods = StepPlan.pods(analysis);
                if (pods.isPresent()) {
                    List<Integer> counts = pods.get();
                    for (int i = 0; i < counts.size(); i++) {
                        int n = Math.min(counts.get(i), replicas);
                        steps.add(new Step(Routing.of(Weights.canary(StepPlan.share(replicas, n))), "step " + (i + 1) + " of "
                                + counts.size() + ": " + n + (n == 1 ? " pod" : " pods") + " on the new revision"));
                    }
                    break;
                }
                List<Integer> weights = StepPlan.weights(analysis);
                boolean baseline = Baseline.wanted(rollout);
                for (int i = 0; i < weights.size(); i++) {
                    int w = weights.get(i);
                    steps.add(baseline
                            ? new Step(Routing.of(Weights.withBaseline(w)).withBaseline(), "step " + (i + 1) + " of "
                                    + weights.size() + ": canary weight " + w + "%, baseline " + w + "%")
                            : new Step(Routing.of(Weights.canary(w)), "step " + (i + 1) + " of "
                                    + weights.size() + ": canary weight " + w + "%"));
                }
            }
        }
        return steps;
    }
}
