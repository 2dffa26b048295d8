package dev.ramp.rollout.phase;

import dev.ramp.api.RollbackCause;
import dev.ramp.api.Phase;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.api.WebhookSpec.Type;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.hooks.Hooks;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.Baseline;
import dev.ramp.rollout.CanaryStall;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.ReleaseChecks;
import dev.ramp.rollout.ReleaseGates;
import dev.ramp.rollout.ReleasePlan;
import dev.ramp.rollout.ReplicaCounts;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.StepClock;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.Workloads;
import dev.ramp.rollout.Effect;
import dev.ramp.routing.ReplicaSplit;
import dev.ramp.work.Observation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A release of any strategy: waits for the canary to be ready, then holds each step of its
 * {@link ReleasePlan} for one interval, running the checks every {@code checkEvery} (at most 5s)
 * meanwhile. A step advances only on a Passed check after its hold; after the last step the
 * release is promoted. Failed checks reaching the threshold, or a canary not ready within the
 * progress deadline (its reason from its Pods, {@link CanaryStall}), roll it back; Inconclusive checks hold the step ({@link CheckVerdicts}).
 * Each check's questions (hooks, metrics) are answered off the reconcile thread ({@code Probes});
 * while one is pending the pass holds and changes nothing.
 * Weights follow status.currentStep (applied by {@code GeneratedObjects} after the status is written),
 * so a restarted operator resumes the step and never routes to a step it did not record.
 */
public class ProgressingPhase implements PhaseHandler {

    private final ReleaseChecks checks;
    private final ReleaseGates gates;

    public ProgressingPhase(ReleaseChecks checks, ReleaseGates gates) {
        this.checks = checks;
        this.gates = gates;
    }

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Progressing);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        AnalysisSettings settings = AnalysisSettings.of(context.rollout());
        if (!canaryReady(context)) {
            if (status.getCanaryNotReadySince() == null) {
                status.setCanaryNotReadySince(Timestamps.format(context.now()));
            }
            return canaryNotReady(context, settings);
        }
        status.setCanaryNotReadySince(null);
        List<ReleasePlan.Step> plan = plan(context);
        StepClock clock = new StepClock(settings, status, context.now());
        StepStatus current = status.getCurrentStep();
        if (current == null || current.getIndex() == null) {
            return beforeTraffic(context, settings, plan, clock);
        }
        // The plan may have shrunk (fewer stepWeights or iterations) since the step was reached.
        int step = Math.min(current.getIndex(), plan.size() - 1);
        refreshWeight(context, plan.get(step));
        Optional<Duration> wait = clock.untilNextCheck();
        if (wait.isPresent()) {
            return Next.after(wait.get());
        }
        // The round's questions are asked together, and the pass holds, changing nothing, until
        // all are answered: the rollback hooks, the rollout hooks (load testers) once per step at
        // its first check, and the metrics. A rollout hook that did not answer 2xx is asked again
        // at each check, and the step is not left until it does.
        boolean rolloutHooksDue = current.getHooksPassedAt() == null;
        Optional<Next> pending = Next.whilePending(gates.ask(context, Type.Rollback),
                rolloutHooksDue ? gates.ask(context, Type.Rollout) : Observation.ready(true), checks.passes(context));
        if (pending.isPresent()) {
            return pending.get();
        }
        Observation<Optional<String>> rollback = gates.rollbackRequested(context);
        if (rollback.pending()) {
            return Next.holding(rollback);
        }
        if (rollback.value().isPresent()) {
            Transitions.rollback(context, RollbackCause.ROLLBACK_REQUESTED, rollback.value().get());
            return Next.onChange();
        }
        if (rolloutHooksDue) {
            Observation<Optional<HookAnswer>> hookFailure = gates.failure(context, Type.Rollout);
            if (hookFailure.pending()) {
                return Next.holding(hookFailure);
            }
            if (hookFailure.value().isPresent()) {
                return checks.hook(context, settings, hookFailure.value().get());
            }
            current.setHooksPassedAt(Timestamps.format(context.now()));
        }
        return check(context, settings, plan, step);
    }

    /** No traffic yet: confirm-rollout hooks must say yes and pre-rollout hooks pass, each interval until they do. */
    private Next beforeTraffic(RolloutContext context, AnalysisSettings settings, List<ReleasePlan.Step> plan, StepClock clock) {
        Optional<Duration> wait = clock.untilNextCheck();
        if (wait.isPresent()) {
            return Next.after(wait.get());
        }
        // Pre-rollout hooks act (they may seed data): asked only once confirm-rollout said yes.
        Observation<Boolean> confirmed = gates.confirmed(context, Type.ConfirmRollout);
        if (confirmed.pending()) {
            return Next.holding(confirmed);
        }
        if (!confirmed.value()) {
            Transitions.checked(context);
            return Next.after(settings.interval());
        }
        Observation<Optional<HookAnswer>> preRollout = gates.failure(context, Type.PreRollout);
        if (preRollout.pending()) {
            return Next.holding(preRollout);
        }
        if (preRollout.value().isPresent()) {
            return checks.hook(context, settings, preRollout.value().get());
        }
        moveToStep(context, 0, plan);
        return Next.after(settings.interval());
    }

    private Next check(RolloutContext context, AnalysisSettings settings, List<ReleasePlan.Step> plan, int step) {
        RolloutStatus status = context.status();
        Optional<Next> notPassed = checks.metrics(context, settings, plan.get(step).description());
        if (notPassed.isPresent()) {
            return notPassed.get();
        }
        Optional<Duration> hold = new StepClock(settings, status, context.now()).holdLeft();
        if (hold.isPresent()) {
            return Next.after(hold.get());
        }
        status.setIterations((status.getIterations() == null ? 0 : status.getIterations()) + 1);
        int next = step + 1;
        if (next >= plan.size()) {
            if (Hooks.any(context.rollout(), Type.ConfirmPromotion)) {
                Transitions.to(context, Phase.WaitingPromotion);
                context.normal("WaitingPromotion",
                        "All steps passed; waiting for the confirm-promotion hooks");
                return Next.after(Duration.ofMillis(100));
            }
            Transitions.to(context, Phase.Promoting);
            context.normal("Promoting",
                    "All steps passed; copying revision " + status.getLastAppliedRevision() + " into the primary");
            return Next.after(Duration.ofMillis(100));
        }
        moveToStep(context, next, plan);
        return Next.after(settings.interval());
    }

    private void moveToStep(RolloutContext context, int step, List<ReleasePlan.Step> plan) {
        ReleasePlan.Step next = plan.get(step);
        // The step's routing is applied by GeneratedObjects once this status is written: more
        // traffic to the canary only ever follows a recorded step.
        Transitions.toStep(context, step);
        stepRecorded(context, next);
    }

    /** The release's steps: a Deployment's are its spec's alone. */
    protected List<ReleasePlan.Step> plan(RolloutContext context) {
        return ReleasePlan.of(context.rollout());
    }

    /**
     * Whether the canary runs the release's revision, ready, as the recorded step needs it; the
     * effects that make it so are decided here, at every pass. A Deployment target: scaled up as
     * the canary, its pods labelled with the revision, and with {@code analysis.baseline} the
     * baseline beside it, ready too.
     */
    protected boolean canaryReady(RolloutContext context) {
        String revision = context.status().getLastAppliedRevision();
        // Every pass, not once: a scale-up lost to a conflict or undone by someone is made again.
        context.effect(new Effect.ScaleUpCanary(revision));
        // With analysis.baseline, no step (and no share) before the baseline is ready too.
        boolean baselineReady = Baseline.run(context);
        return Workloads.runs(context.target(), revision) && baselineReady;
    }

    /** The weight achieved at the step held, recomputed at each pass: without a mesh it follows the primary's size. */
    protected void refreshWeight(RolloutContext context, ReleasePlan.Step step) {
        if (ReplicaCounts.byPods(context.rollout())) {
            context.status().setCanaryWeight(ReplicaCounts.achievedWeight(context.rollout(), context.target(), context.primary(),
                    step.routing().weights().canary()));
        }
    }

    /** A step was just recorded in status: its weight achieved, and the Event that tells it. */
    protected void stepRecorded(RolloutContext context, ReleasePlan.Step next) {
        RolloutStatus status = context.status();
        // The weight achieved: the step's behind a router, the canary's share of the pods without a mesh.
        status.setCanaryWeight(ReplicaCounts.achievedWeight(context.rollout(), context.target(), context.primary(),
                next.routing().weights().canary()));
        String description = next.description();
        if (ReplicaCounts.byPods(context.rollout())) {
            ReplicaSplit pods = ReplicaCounts.split(context.rollout(), context.target(), context.primary(),
                    next.routing().weights().canary());
            description += " (without a mesh: " + pods.canary() + " canary " + (pods.canary() == 1 ? "pod" : "pods") + " beside "
                    + pods.primary() + " of the primary, " + pods.weight() + "% of the traffic)";
        }
        context.normal("StepAdvanced", Character.toUpperCase(description.charAt(0)) + description.substring(1));
    }

    /** The canary not ready: held until the progress deadline, then rolled back with why its Pods say it is not. */
    protected Next canaryNotReady(RolloutContext context, AnalysisSettings settings) {
        Optional<Duration> left = new StepClock(settings, context.status(), context.now()).untilReadinessDeadline();
        if (left.isEmpty() && Baseline.holdsTheStep(context)) {
            // The canary is ready; a second copy of the promoted revision is not the commit's fault.
            Transitions.rollback(context, RollbackCause.BASELINE_NOT_READY, "baseline "
                    + RolloutNames.of(context.rollout()).baseline() + " of revision " + context.status().getLastPromotedRevision()
                    + " not ready within " + settings.progressDeadline().toSeconds() + "s");
            return Next.onChange();
        }
        if (left.isEmpty()) {
            // Whether Git is reverted follows from why: a crash is the commit's fault, a full cluster is not.
            CanaryStall stall = CanaryStall.of(context.target(), context.status().getLastAppliedRevision(), context.pods());
            Transitions.rollback(context, stall.reason(), "canary " + context.target().getMetadata().getName()
                    + " not ready within " + settings.progressDeadline().toSeconds() + "s: " + stall.detail());
            return Next.onChange();
        }
        return Next.after(left.get());
    }
}
