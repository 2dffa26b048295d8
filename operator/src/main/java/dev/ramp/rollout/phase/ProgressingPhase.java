package dev.ramp.rollout.phase;

import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.CheckFailure;
import dev.ramp.analysis.CheckResult;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Verdict;
import dev.ramp.api.WebhookSpec.Type;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.hooks.Hooks;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.CheckVerdicts;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.ReleaseGates;
import dev.ramp.rollout.ReleasePlan;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.StepClock;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.Workloads;
import dev.ramp.routing.TrafficRouter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A release of any strategy: waits for the canary to be ready, then holds each step of its
 * {@link ReleasePlan} for one interval, running the checks every {@code checkEvery} (at most 5s)
 * meanwhile. A step advances only on a Passed check after its hold; after the last step the
 * release is promoted. Failed checks reaching the threshold, or a canary not ready within the
 * progress deadline, roll it back; Inconclusive checks hold the step ({@link CheckVerdicts}).
 * Weights follow status.step, so a restarted operator resumes the step.
 */
public class ProgressingPhase implements PhaseHandler {

    private final Workloads workloads;
    private final TrafficRouter router;
    private final Analysis analysis;
    private final Transitions transitions;
    private final ReleaseGates gates;

    public ProgressingPhase(Workloads workloads, TrafficRouter router, Analysis analysis, Transitions transitions,
            ReleaseGates gates) {
        this.workloads = workloads;
        this.router = router;
        this.analysis = analysis;
        this.transitions = transitions;
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
        if (!Workloads.isReady(context.target())) {
            if (status.getCanaryNotReadySince() == null) {
                status.setCanaryNotReadySince(context.now().toString());
            }
            return canaryNotReady(context, settings);
        }
        status.setCanaryNotReadySince(null);
        List<ReleasePlan.Step> plan = ReleasePlan.of(context.rollout());
        StepClock clock = new StepClock(settings, status, context.now());
        if (status.getStep() == null) {
            return beforeTraffic(context, settings, plan, clock);
        }
        // The plan may have shrunk (fewer stepWeights or iterations) since the step was reached.
        int step = Math.min(status.getStep(), plan.size() - 1);
        // Re-applied each time (a no-op when unchanged), so routing survives restarts and edits.
        router.route(context.rollout(), plan.get(step).routing());
        Optional<Duration> wait = clock.untilNextCheck();
        if (wait.isPresent()) {
            return Next.after(wait.get());
        }
        Optional<String> rollback = gates.rollbackRequested(context);
        if (rollback.isPresent()) {
            transitions.rollback(context, "RollbackRequested", rollback.get());
            return Next.onChange();
        }
        // Rollout hooks (load testers) once per step, at its first check; one that did not answer
        // 2xx is asked again at each check, and the step is not left until it does.
        if (!Integer.valueOf(step).equals(status.getRolloutHooksStep())) {
            Optional<HookAnswer> hookFailure = gates.failure(context, Type.Rollout);
            if (hookFailure.isPresent()) {
                return hookCheck(context, settings, hookFailure.get());
            }
            status.setRolloutHooksStep(step);
        }
        return check(context, settings, plan, step);
    }

    /** No traffic yet: confirm-rollout hooks must say yes and pre-rollout hooks pass, each interval until they do. */
    private Next beforeTraffic(RolloutContext context, AnalysisSettings settings, List<ReleasePlan.Step> plan, StepClock clock) {
        Optional<Duration> wait = clock.untilNextCheck();
        if (wait.isPresent()) {
            return Next.after(wait.get());
        }
        if (!gates.confirmed(context, Type.ConfirmRollout)) {
            context.status().setLastCheckTime(context.now().toString());
            return Next.after(settings.interval());
        }
        Optional<HookAnswer> preRollout = gates.failure(context, Type.PreRollout);
        if (preRollout.isPresent()) {
            return hookCheck(context, settings, preRollout.get());
        }
        moveToStep(context, 0, plan);
        return Next.after(settings.interval());
    }

    private Next check(RolloutContext context, AnalysisSettings settings, List<ReleasePlan.Step> plan, int step) {
        RolloutStatus status = context.status();
        CheckResult result = analysis.run(context.rollout(), status.getLastAppliedRevision());
        status.setMetrics(result.metrics());
        Verdict verdict = result.verdict();
        if (verdict != Verdict.Passed) {
            boolean configuration = result.failure().map(CheckFailure::isConfiguration).orElse(false);
            RollbackCause cause = new RollbackCause(verdict == Verdict.Failed ? "AnalysisFailed" : RollbackCause.ANALYSIS_INCONCLUSIVE,
                    result.summary());
            return notPassed(context, settings, verdict, result.reason(), result.failures(), configuration,
                    result.failedMetric().map(cause::withMetric).orElse(cause));
        }
        status.setLastCheckTime(context.now().toString());
        CheckVerdicts.record(settings, status, verdict);
        transitions.setCondition(context, Transitions.ANALYSIS, Conditions.TRUE, CheckResult.PASSED,
                "all checks passed at " + plan.get(step).description());
        Optional<Duration> hold = new StepClock(settings, status, context.now()).holdLeft();
        if (hold.isPresent()) {
            return Next.after(hold.get());
        }
        status.setIterations((status.getIterations() == null ? 0 : status.getIterations()) + 1);
        int next = step + 1;
        if (next >= plan.size()) {
            if (Hooks.any(context.rollout(), Type.ConfirmPromotion)) {
                transitions.to(context, Phase.WaitingPromotion);
                transitions.events().normal(context.rollout(), "WaitingPromotion",
                        "All steps passed; waiting for the confirm-promotion hooks");
                return Next.after(Duration.ofMillis(100));
            }
            transitions.to(context, Phase.Promoting);
            transitions.events().normal(context.rollout(), "Promoting",
                    "All steps passed; copying revision " + status.getLastAppliedRevision() + " into the primary");
            return Next.after(Duration.ofMillis(100));
        }
        moveToStep(context, next, plan);
        return Next.after(settings.interval());
    }

    /** A pre-rollout or rollout hook that did not say yes: Failed when it said no, Inconclusive when it could not answer. */
    private Next hookCheck(RolloutContext context, AnalysisSettings settings, HookAnswer answer) {
        Verdict verdict = answer.unreachable() ? Verdict.Inconclusive : Verdict.Failed;
        String reason = answer.unreachable() ? "HookUnreachable" : "HookFailed";
        RollbackCause cause = new RollbackCause(verdict == Verdict.Failed ? "HookFailed" : RollbackCause.ANALYSIS_INCONCLUSIVE,
                answer.message());
        return notPassed(context, settings, verdict, reason, answer.message(), false, cause);
    }

    /**
     * Records a check that did not pass and rolls back at its limit: {@code threshold} Failed
     * checks, or {@code inconclusiveLimit} Inconclusive ones in a row. The Analysis condition
     * names what did not pass. A failing canary or an unreachable Prometheus gets an Event at
     * every check; a configuration error (TemplateNotFound, QueryRejected, InvalidMetric) one
     * Event per release ({@code reportOnce}), since repeating it tells nothing new.
     */
    private Next notPassed(RolloutContext context, AnalysisSettings settings, Verdict verdict, String reason,
            String failures, boolean reportOnce, RollbackCause cause) {
        RolloutStatus status = context.status();
        status.setLastCheckTime(context.now().toString());
        CheckVerdicts.Decision decision = CheckVerdicts.record(settings, status, verdict);
        boolean reported = Conditions.find(status.getConditions(), Transitions.ANALYSIS)
                .map(c -> reason.equals(c.getReason())).orElse(false);
        String count = verdict == Verdict.Failed
                ? "check failed (" + status.getFailedChecks() + " of threshold " + settings.threshold() + ")"
                : "check inconclusive (" + status.getInconclusiveChecks() + " in a row of limit " + settings.inconclusiveLimit()
                        + "; the step holds)";
        transitions.setCondition(context, Transitions.ANALYSIS, Conditions.FALSE, reason, count + ": " + failures);
        if (!reportOnce || !reported) {
            transitions.events().warning(context.rollout(), reason, Character.toUpperCase(count.charAt(0)) + count.substring(1)
                    + ": " + failures);
        }
        if (decision.outcome() == CheckVerdicts.Outcome.FAILED || decision.outcome() == CheckVerdicts.Outcome.INCONCLUSIVE) {
            transitions.rollback(context, cause);
            return Next.onChange();
        }
        return Next.after(decision.nextCheck());
    }

    private void moveToStep(RolloutContext context, int step, List<ReleasePlan.Step> plan) {
        RolloutStatus status = context.status();
        ReleasePlan.Step next = plan.get(step);
        router.route(context.rollout(), next.routing());
        status.setStep(step);
        status.setCanaryWeight(next.routing().weights().canary());
        status.setLastCheckTime(context.now().toString());
        status.setLastTransitionTime(context.now().toString());
        transitions.events().normal(context.rollout(), "StepAdvanced",
                Character.toUpperCase(next.description().charAt(0)) + next.description().substring(1));
    }

    private Next canaryNotReady(RolloutContext context, AnalysisSettings settings) {
        workloads.scaleUpCanary(context.rollout(), context.target(), context.status().getLastAppliedRevision());
        Optional<Duration> left = new StepClock(settings, context.status(), context.now()).untilReadinessDeadline();
        if (left.isEmpty()) {
            transitions.rollback(context, "ProgressDeadlineExceeded", "canary " + context.target().getMetadata().getName()
                    + " not ready within " + settings.progressDeadline().toSeconds() + "s");
            return Next.onChange();
        }
        return Next.after(left.get());
    }
}
