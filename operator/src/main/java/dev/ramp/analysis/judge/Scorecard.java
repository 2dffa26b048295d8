package dev.ramp.analysis.judge;

import dev.ramp.api.Classification;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.Verdict;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One check's compared metrics made into one score and one of Ramp's three verdicts, as Kayenta
 * scores a canary: the score is the weight of the metrics classed Pass over the weight of those
 * with data, 0 to 100 (null when none has data). The verdict, in this order:
 * <ol>
 * <li>a critical metric High or Low: {@link Verdict#Failed} ({@link Outcome#CRITICAL_FAILED});
 * <li>below {@code marginal} even were every NoData metric to pass: Failed, since the missing
 * data cannot change it ({@link Outcome#BELOW_MARGINAL});
 * <li>any metric NoData, or no metric at all: {@link Verdict#Inconclusive}, never Passed on
 * missing evidence ({@link Outcome#TOO_LITTLE_DATA});
 * <li>a score of at least {@code pass}: {@link Verdict#Passed}; at least {@code marginal}:
 * Inconclusive ({@link Outcome#MARGINAL}); below it: Failed.
 * </ol>
 */
public record Scorecard(List<MetricJudgment> metrics, Double score, Verdict verdict, Outcome outcome, Thresholds thresholds) {

    /** Why the verdict is what it is. */
    public enum Outcome {
        PASSED, MARGINAL, BELOW_MARGINAL, CRITICAL_FAILED, TOO_LITTLE_DATA
    }

    /** The score a check must reach to pass, and below which it fails; {@code 0 <= marginal <= pass <= 100}. */
    public record Thresholds(double pass, double marginal) {

        /** Kayenta's usual thresholds, the API's defaults. */
        public static final Thresholds DEFAULT = of(null);

        /** The thresholds {@code analysis.judge} sets (null: the defaults). */
        public static Thresholds of(JudgeSpec judge) {
            return new Thresholds(JudgeSpec.effectivePass(judge), JudgeSpec.effectiveMarginal(judge));
        }

        public Thresholds {
            if (!(marginal >= 0 && marginal <= pass && pass <= 100)) {
                throw new IllegalArgumentException("need 0 <= marginal <= pass <= 100, got marginal " + marginal + " and pass " + pass);
            }
        }
    }

    public static Scorecard of(List<MetricJudgment> metrics, Thresholds thresholds) {
        double total = 0;
        double passed = 0;
        double noData = 0;
        for (MetricJudgment m : metrics) {
            total += m.weight();
            if (m.classification() == Classification.Pass) {
                passed += m.weight();
            } else if (m.classification() == Classification.NoData) {
                noData += m.weight();
            }
        }
        Double score = total - noData > 0 ? 100 * passed / (total - noData) : null;
        List<MetricJudgment> copy = List.copyOf(metrics);
        if (metrics.stream().anyMatch(m -> m.critical() && m.failed())) {
            return new Scorecard(copy, score, Verdict.Failed, Outcome.CRITICAL_FAILED, thresholds);
        }
        double best = total > 0 ? 100 * (passed + noData) / total : 0;
        if (total > 0 && best < thresholds.marginal()) {
            return new Scorecard(copy, score, Verdict.Failed, Outcome.BELOW_MARGINAL, thresholds);
        }
        if (total == 0 || noData > 0) {
            return new Scorecard(copy, score, Verdict.Inconclusive, Outcome.TOO_LITTLE_DATA, thresholds);
        }
        if (score >= thresholds.pass()) {
            return new Scorecard(copy, score, Verdict.Passed, Outcome.PASSED, thresholds);
        }
        return new Scorecard(copy, score, Verdict.Inconclusive, Outcome.MARGINAL, thresholds);
    }

    /**
     * The verdict explained in one text: the score against the thresholds, then each metric that
     * did not pass (or every metric, when all passed), e.g. {@code score 50 (pass 95, marginal 75):
     * Failed, below marginal; request-duration: canary median ...: High}.
     */
    public String describe() {
        String head = headline();
        List<MetricJudgment> shown = verdict == Verdict.Passed ? metrics
                : metrics.stream().filter(m -> m.classification() != Classification.Pass).toList();
        return shown.isEmpty() ? head : head + "; " + shown.stream().map(MetricJudgment::describe).collect(Collectors.joining("; "));
    }

    /** The score against the thresholds and the verdict, e.g. {@code score 50 (pass 95, marginal 75): Failed, below marginal}. */
    public String headline() {
        return String.format(Locale.ROOT, "score %s (pass %s, marginal %s): %s%s", score == null ? "none" : number(score),
                number(thresholds.pass()), number(thresholds.marginal()), verdict, switch (outcome) {
                    case CRITICAL_FAILED -> ", a critical metric failed";
                    case BELOW_MARGINAL -> ", below marginal";
                    case TOO_LITTLE_DATA -> metrics.isEmpty() ? ", no compared metric" : ", too few points";
                    case MARGINAL -> ", marginal";
                    case PASSED -> "";
                });
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
