package dev.ramp.analysis;

import dev.ramp.api.AnalysisReasons;
import dev.ramp.api.CanaryEvidence;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of one round of checks: each metric's status (and the canary's request count), the
 * round's verdict, and why it did not pass; and warnings about metrics that may not be evidence
 * of the canary alone (a template query that does not select its revision), whatever their verdict;
 * and, for a failed round, the canary's request counters it was judged on (null when unknown).
 */
public record CheckResult(List<MetricOutcome> outcomes, List<String> warnings, CanaryEvidence evidence) {

    public CheckResult(List<MetricOutcome> outcomes) {
        this(outcomes, List.of(), null);
    }

    public CheckResult(List<MetricOutcome> outcomes, List<String> warnings) {
        this(outcomes, warnings, null);
    }

    /** The same result, with the canary's counters it was judged on. */
    public CheckResult withEvidence(CanaryEvidence counters) {
        return new CheckResult(outcomes, warnings, counters);
    }

    /**
     * Whether the round failed on the canary's errors (the built-in success rate), so that only
     * more failed requests are new evidence; any other failure is renewed by more requests.
     */
    public boolean failedOnErrors() {
        return failedMetric().map(m -> BuiltinQueries.SUCCESS_RATE.equals(m.getName())).orElse(false);
    }

    /**
     * A round the operator could not run, {@code why} (its namespace's share of outside calls in
     * use): Inconclusive, so it holds the step and says nothing about the canary.
     */
    public static CheckResult notRun(String why) {
        return new CheckResult(List.of(MetricOutcome.failed("checks", null, new ThresholdRange(), CheckFailure.NOT_RUN, why)));
    }

    /** Each metric's last value, bounds and verdict, for status.metrics. */
    public List<MetricStatus> metrics() {
        return outcomes.stream().map(MetricOutcome::status).toList();
    }

    /**
     * Too few requests make the whole round Inconclusive, whatever the metrics say: on a handful
     * of requests one error is noise, not evidence; unless a metric's failure is already certain
     * (so many failed that the whole minimum sample could not pass), which fails the round. Otherwise one metric out of range fails the
     * round, and anything else that kept a metric from a value leaves it Inconclusive. A round
     * with no outcome at all is no evidence, so Inconclusive too.
     */
    public Verdict verdict() {
        if (outcomes.stream().anyMatch(MetricOutcome::certain)) {
            return Verdict.Failed;
        }
        if (outcomes.isEmpty() || outcomes.stream().anyMatch(o -> o.failure() == CheckFailure.TOO_FEW_REQUESTS)) {
            return Verdict.Inconclusive;
        }
        if (outcomes.stream().anyMatch(o -> o.verdict() == Verdict.Failed)) {
            return Verdict.Failed;
        }
        return outcomes.stream().allMatch(MetricOutcome::passed) ? Verdict.Passed : Verdict.Inconclusive;
    }

    /** The failure that names the round, in {@link CheckFailure}'s order (configuration errors first). */
    public Optional<CheckFailure> failure() {
        return outcomes.stream().map(MetricOutcome::failure).filter(Objects::nonNull)
                .min(Comparator.naturalOrder());
    }

    /** The Analysis condition's reason for this round. */
    public String reason() {
        return switch (verdict()) {
            case Passed -> AnalysisReasons.CHECKS_PASSED;
            case Failed -> CheckFailure.CHECK_FAILED;
            case Inconclusive -> outcomes.stream().map(MetricOutcome::failure)
                    .filter(f -> f != null && f.verdict() == Verdict.Inconclusive).min(Comparator.naturalOrder())
                    .map(CheckFailure::conditionReason).orElse(CheckFailure.CHECK_INCONCLUSIVE);
        };
    }

    /** The metric whose value broke its bound, for the rollback's cause. */
    public Optional<MetricStatus> failedMetric() {
        return outcomes.stream().filter(o -> o.failure() == CheckFailure.OUT_OF_RANGE).map(MetricOutcome::status).findFirst();
    }

    /**
     * When the statistical judge failed the round: the compare metrics it classed High or Low,
     * each with its comparison, for the rollback's cause. Otherwise none.
     */
    public List<MetricStatus> comparisons() {
        boolean judgedWorse = outcomes.stream().anyMatch(o -> o.failure() == CheckFailure.JUDGED_WORSE);
        if (!judgedWorse) {
            return List.of();
        }
        return outcomes.stream().map(MetricOutcome::status).filter(m -> m.getComparison() != null
                && m.getVerdict() == Verdict.Failed).toList();
    }

    /** What did not pass, configuration errors first, for conditions, events and the revert commit's message. */
    public String failures() {
        return outcomes.stream().filter(o -> !o.passed()).sorted(Comparator.comparing(MetricOutcome::failure))
                .map(o -> o.status().getName() + ": " + o.status().getMessage()).collect(Collectors.joining("; "));
    }

    /** The failures, led by the reason when it is a configuration error, so a rollback says what to fix. */
    public String summary() {
        return failure().filter(CheckFailure::isConfiguration).map(f -> f.reason() + ": " + failures()).orElse(failures());
    }
}
