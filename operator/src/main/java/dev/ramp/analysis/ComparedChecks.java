package dev.ramp.analysis;

import dev.ramp.analysis.judge.AllowedEffect;
import dev.ramp.analysis.judge.Comparison;
import dev.ramp.analysis.judge.MannWhitneyJudge;
import dev.ramp.analysis.judge.MetricJudgment;
import dev.ramp.analysis.judge.Scorecard;
import dev.ramp.api.Classification;
import dev.ramp.api.CompareSpec;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A check's compare metrics judged into one score (no I/O: the points are read by {@link Analysis}):
 * each metric's canary points against the comparison side's (the baseline's, or the primary's) by the {@link MannWhitneyJudge}, all of them
 * into one {@link Scorecard}. The outcome is one entry per metric in status.metrics, carrying its
 * comparison ({@link MetricComparison}) and judging nothing by itself, and one entry for the score,
 * {@value #SCORE}, whose failure is the judge's verdict: {@link CheckFailure#JUDGED_WORSE} (Failed),
 * {@link CheckFailure#MARGINAL_SCORE} or {@link CheckFailure#TOO_FEW_POINTS} (Inconclusive), none
 * when it passed. A metric whose points could not be read keeps that failure (Inconclusive) and
 * counts as NoData in the score.
 */
final class ComparedChecks {

    /** The name of the score's entry in status.metrics. */
    static final String SCORE = JudgeSpec.SCORE;

    /**
     * One compare metric's points on each side, in time order, or why they could not be read;
     * {@code filling}: the window was cut short by the release's start (the release is younger
     * than {@code judge.minPoints} steps), so too few points are expected and will not last.
     */
    record Samples(MetricCheck check, double[] canary, double[] comparison, CheckFailure failure, String message,
            boolean filling) {

        static Samples read(MetricCheck check, double[] canary, double[] comparison, boolean filling) {
            return new Samples(check, canary, comparison, null, null, filling);
        }

        static Samples failed(MetricCheck check, CheckFailure failure, String message) {
            return new Samples(check, new double[0], new double[0], failure, message, false);
        }
    }

    private ComparedChecks() {
    }

    /** {@code comparedWith}: the comparison side's name, {@link MetricComparison#BASELINE} or {@link MetricComparison#PRIMARY}. */
    static List<MetricOutcome> judge(List<Samples> samples, JudgeSpec spec, String comparedWith) {
        MannWhitneyJudge judge = MannWhitneyJudge.of(spec);
        List<MetricOutcome> outcomes = new ArrayList<>();
        List<MetricJudgment> judgments = new ArrayList<>();
        List<MetricComparison> shown = new ArrayList<>();
        boolean tooFew = false;
        boolean onlyFilling = true;
        for (Samples s : samples) {
            CompareSpec compare = s.check().getCompare();
            Comparison comparison = judge.compare(s.canary(), s.comparison(), compare.getDirection(),
                    new AllowedEffect(compare.getTolerance(), compare.getMinEffect()));
            if (s.failure() == null && comparison.basis() == Comparison.Basis.TOO_FEW_POINTS) {
                tooFew = true;
                onlyFilling &= s.filling();
            }
            MetricJudgment judgment = new MetricJudgment(s.check().getName(), comparison, CompareSpec.effectiveWeight(compare),
                    CompareSpec.effectiveCritical(compare));
            judgments.add(judgment);
            MetricComparison status = status(s.check(), comparison, judgment.critical(), comparedWith);
            shown.add(status);
            MetricStatus metric = new MetricStatus(s.check().getName(), comparison.canaryMedian(), new ThresholdRange(),
                    s.failure() == null ? verdict(comparison.classification()) : s.failure().verdict(),
                    s.failure() == null ? status.summary() : s.message());
            metric.setComparison(status);
            outcomes.add(new MetricOutcome(metric, s.failure()));
        }
        Scorecard card = Scorecard.of(judgments, Scorecard.Thresholds.of(spec));
        outcomes.add(score(card, shown, tooFew && onlyFilling));
        return outcomes;
    }

    /** The score's entry: its value, the pass threshold as its minimum, and the verdict explained. */
    private static MetricOutcome score(Scorecard card, List<MetricComparison> comparisons, boolean filling) {
        CheckFailure failure = switch (card.outcome()) {
            case PASSED -> null;
            case MARGINAL -> CheckFailure.MARGINAL_SCORE;
            case TOO_LITTLE_DATA -> filling ? CheckFailure.WINDOW_FILLING : CheckFailure.TOO_FEW_POINTS;
            case CRITICAL_FAILED, BELOW_MARGINAL -> CheckFailure.JUDGED_WORSE;
        };
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < card.metrics().size(); i++) {
            if (card.verdict() == Verdict.Passed || card.metrics().get(i).classification() != Classification.Pass) {
                lines.add(comparisons.get(i).describe(card.metrics().get(i).metric()));
            }
        }
        String message = card.headline() + (lines.isEmpty() ? "" : "; " + lines.stream().collect(Collectors.joining("; ")));
        ThresholdRange range = new ThresholdRange(card.thresholds().pass(), null);
        return new MetricOutcome(new MetricStatus(SCORE, card.score(), range, card.verdict(), message), failure);
    }

    /** The comparison as status shows it, with the metric's unit when it is a built-in one. */
    private static MetricComparison status(MetricCheck check, Comparison c, boolean critical, String comparedWith) {
        MetricComparison status = new MetricComparison();
        status.setComparedWith(comparedWith);
        status.setCanaryPoints(c.canaryPoints());
        status.setComparisonPoints(c.baselinePoints());
        status.setCanaryMedian(c.canaryMedian());
        status.setComparisonMedian(c.baselineMedian());
        status.setShift(c.shift());
        status.setRelativeShift(c.relativeShift());
        status.setLower(c.lower());
        status.setUpper(c.upper());
        status.setConfidence(c.confidence());
        status.setPValue(c.pValue());
        status.setClassification(c.classification());
        status.setCritical(critical ? true : null);
        if (check.getTemplateRef() == null) {
            status.setUnit(BuiltinQueries.DURATION.equals(check.getName()) ? "ms" : "%");
        }
        return status;
    }

    /** A metric's verdict as status shows it: High or Low Failed, NoData Inconclusive; the score alone decides the check. */
    private static Verdict verdict(Classification classification) {
        return switch (classification) {
            case Pass -> Verdict.Passed;
            case High, Low -> Verdict.Failed;
            case NoData -> Verdict.Inconclusive;
        };
    }
}
