package dev.ramp.rollout;

import dev.ramp.analysis.CheckFailure;
import dev.ramp.analysis.CheckResult;
import dev.ramp.api.AnalysisReasons;
import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Verdict;
import dev.ramp.api.WebhookReasons;
import dev.ramp.egress.Redaction;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Messages;
import dev.ramp.work.Observation;
import java.util.ArrayList;
import java.util.Optional;

/**
 * A release's checks and what their verdicts do, for every phase that judges a canary
 * (Progressing, WaitingPromotion): runs the metric checks on the canary's revision, or takes a
 * hook's answer, records the verdict ({@link CheckVerdicts}), names it in the Analysis condition
 * and Events, and rolls back at the threshold or the inconclusive limit.
 */
public class ReleaseChecks {

    private final Probes probes;

    public ReleaseChecks(Probes probes) {
        this.probes = probes;
    }

    /**
     * Whether the round's metric checks pass, deciding and recording nothing: to ask them with the
     * round's other questions, and to know before a check is recorded (which ends the round)
     * whether a question that follows only a passed check must be asked too.
     */
    public Observation<Boolean> passes(RolloutContext context) {
        if (AnalysisSpec.skips(context.rollout().getSpec().getAnalysis())) {
            return Observation.ready(true);
        }
        return probes.checks(context).map(result -> result.verdict() == Verdict.Passed);
    }

    /**
     * Runs the metric checks. While their answer is pending, a hold that changes nothing. Empty when they passed (recorded, with the Analysis condition
     * naming {@code where}); otherwise what to do next: hold the step, or the rollback done.
     */
    public Optional<Next> metrics(RolloutContext context, AnalysisSettings settings, String where) {
        RolloutStatus status = context.status();
        if (AnalysisSpec.skips(context.rollout().getSpec().getAnalysis())) {
            return skipped(context, settings, where);
        }
        Observation<CheckResult> observed = probes.checks(context);
        if (observed.pending()) {
            return Next.whilePending(observed);
        }
        CheckResult result = observed.value();
        status.setMetrics(result.metrics());
        revisionSelected(context, result);
        Verdict verdict = result.verdict();
        if (verdict != Verdict.Passed) {
            boolean configuration = result.failure().map(CheckFailure::isConfiguration).orElse(false);
            RollbackCause cause = new RollbackCause(verdict == Verdict.Failed ? RollbackCause.ANALYSIS_FAILED : RollbackCause.ANALYSIS_INCONCLUSIVE,
                    result.summary());
            boolean filling = verdict == Verdict.Inconclusive
                    && result.failure().filter(f -> f == CheckFailure.WINDOW_FILLING).isPresent();
            CheckVerdicts.Decision decision = filling ? CheckVerdicts.filling(settings)
                    : CheckVerdicts.record(settings, status, verdict, result.evidence(), result.failedOnErrors());
            return Optional.of(notPassed(context, settings, decision, verdict, result.reason(), result.failures(), configuration,
                    result.failedMetric().map(cause::withMetric).orElse(cause).withComparisons(result.comparisons())));
        }
        Transitions.checked(context);
        CheckVerdicts.record(settings, status, verdict);
        Transitions.setCondition(context, RolloutConditions.ANALYSIS, Conditions.TRUE, AnalysisReasons.CHECKS_PASSED, "all checks passed at " + where);
        return Optional.empty();
    }

    /**
     * Flags the metrics whose template query does not select the canary's revision (condition
     * RevisionSelected=False, and a Warning Event when that news is new); the condition goes
     * once every metric selects it. It judges nothing: such a metric still counts as it reads.
     */
    private static void revisionSelected(RolloutContext context, CheckResult result) {
        RolloutStatus status = context.status();
        if (result.warnings().isEmpty()) {
            status.setConditions(Conditions.without(status.getConditions(), AnalysisReasons.REVISION_SELECTED));
            return;
        }
        // As the condition stores it (cut and redacted), so that an unchanged warning is not news.
        String message = Messages.bounded(String.join("; ", result.warnings()));
        boolean known = Conditions.find(status.getConditions(), AnalysisReasons.REVISION_SELECTED)
                .map(c -> message.equals(c.getMessage())).orElse(false);
        if (!known) {
            Transitions.setCondition(context, AnalysisReasons.REVISION_SELECTED, Conditions.FALSE,
                    AnalysisReasons.QUERY_IGNORES_REVISION, message);
            context.warning(AnalysisReasons.QUERY_IGNORES_REVISION, message);
        }
    }

    /** With {@code analysis.skipAnalysis}, the canary is not checked: every round counts as passed, and the condition says why. */
    private static Optional<Next> skipped(RolloutContext context, AnalysisSettings settings, String where) {
        RolloutStatus status = context.status();
        status.setMetrics(new ArrayList<>());
        // Nothing is queried, so no query can ignore the revision: a warning from before is stale.
        status.setConditions(Conditions.without(status.getConditions(), AnalysisReasons.REVISION_SELECTED));
        Transitions.checked(context);
        CheckVerdicts.record(settings, status, Verdict.Passed);
        Transitions.setCondition(context, RolloutConditions.ANALYSIS, Conditions.TRUE, AnalysisReasons.SKIPPED,
                "spec.analysis.skipAnalysis is true: the canary is not checked at " + where);
        return Optional.empty();
    }

    /**
     * A pre-rollout or rollout hook that did not say yes: Failed when it said no, Inconclusive when
     * it gave no verdict (not reached, not called since the egress policy refused its URL or its
     * namespace's share of outside calls was in use, timed out, 408, 429, 502, 503, 504). Its response is shown in the Analysis condition and Event, never kept in
     * the rollback's cause (which a Git revert quotes).
     */
    public Next hook(RolloutContext context, AnalysisSettings settings, HookAnswer answer) {
        Verdict verdict = answer.inconclusive() ? Verdict.Inconclusive : Verdict.Failed;
        RollbackCause cause = new RollbackCause(verdict == Verdict.Failed ? WebhookReasons.HOOK_FAILED : RollbackCause.ANALYSIS_INCONCLUSIVE,
                answer.message());
        // A hook the egress policy refused is a configuration error: one Event per release.
        return notPassed(context, settings, CheckVerdicts.record(settings, context.status(), verdict), verdict, answer.reason(),
                answer.described(), answer.denied(), cause);
    }

    /**
     * Records a check that did not pass and rolls back at its limit: {@code threshold} Failed
     * checks, or {@code inconclusiveLimit} Inconclusive ones in a row. The Analysis condition
     * names what did not pass. A failing canary or an unreachable Prometheus gets an Event at
     * every check; a configuration error (TemplateNotFound, QueryRejected, InvalidMetric,
     * EgressDenied) one Event per release ({@code reportOnce}), since repeating it tells nothing new.
     */
    private Next notPassed(RolloutContext context, AnalysisSettings settings, CheckVerdicts.Decision decision, Verdict verdict,
            String reason, String failures, boolean reportOnce, RollbackCause cause) {
        RolloutStatus status = context.status();
        Transitions.checked(context);
        boolean reported = Conditions.find(status.getConditions(), RolloutConditions.ANALYSIS)
                .map(c -> reason.equals(c.getReason())).orElse(false);
        if (decision.outcome() == CheckVerdicts.Outcome.REPEATED) {
            // The same evidence as the failure already counted and reported: not news, no Event.
            Transitions.setCondition(context, RolloutConditions.ANALYSIS, Conditions.FALSE, reason, "check failed ("
                    + status.getFailedChecks() + " of threshold " + settings.threshold() + "; waiting for new requests"
                    + " to count the next): " + failures);
            return Next.after(decision.nextCheck());
        }
        String count = verdict == Verdict.Failed
                ? "check failed (" + status.getFailedChecks() + " of threshold " + settings.threshold() + ")"
                : "check inconclusive (" + status.getInconclusiveChecks() + " in a row of limit " + settings.inconclusiveLimit()
                        + "; the step holds)";
        Transitions.setCondition(context, RolloutConditions.ANALYSIS, Conditions.FALSE, reason, count + ": " + failures);
        if (!reportOnce || !reported) {
            context.warning(reason, Character.toUpperCase(count.charAt(0)) + count.substring(1)
                    + ": " + failures);
        }
        if (decision.outcome() == CheckVerdicts.Outcome.FAILED || decision.outcome() == CheckVerdicts.Outcome.INCONCLUSIVE) {
            Transitions.rollback(context, cause);
            return Next.onChange();
        }
        return Next.after(decision.nextCheck());
    }

}
