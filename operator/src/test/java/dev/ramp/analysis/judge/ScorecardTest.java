package dev.ramp.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ramp.analysis.judge.Comparison.Basis;
import dev.ramp.analysis.judge.Scorecard.Outcome;
import dev.ramp.analysis.judge.Scorecard.Thresholds;
import dev.ramp.api.Classification;
import dev.ramp.api.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The score and verdict of a check's compared metrics, on fixed classifications. */
class ScorecardTest {

    private static final Thresholds THRESHOLDS = new Thresholds(90, 60);

    @Test
    void everyMetricPassingScores100AndPasses() {
        Scorecard card = Scorecard.of(List.of(pass("request-duration", 2), pass("request-success-rate", 1)), THRESHOLDS);

        assertThat(card.score()).isEqualTo(100.0);
        assertThat(card.verdict()).isEqualTo(Verdict.Passed);
        assertThat(card.outcome()).isEqualTo(Outcome.PASSED);
    }

    @Test
    void theScoreIsThePassingWeightOverTheWeightWithData() {
        // 3 of 4 by weight pass: 75, between marginal 60 and pass 90
        Scorecard marginal = Scorecard.of(List.of(pass("a", 3), high("b", 1, false)), THRESHOLDS);

        assertThat(marginal.score()).isEqualTo(75.0);
        assertThat(marginal.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(marginal.outcome()).isEqualTo(Outcome.MARGINAL);
        assertThat(marginal.describe()).isEqualTo("score 75 (pass 90, marginal 60): Inconclusive, marginal; b: canary median 215.5"
                + " vs baseline 169 (12/11 points), shift +49 (+29.0%), 98% CI +29..+67, p=3.0e-06: High");

        // 1 of 3: 33.3, below marginal
        Scorecard failed = Scorecard.of(List.of(pass("a", 1), high("b", 1, false), low("c", 1)), THRESHOLDS);

        assertThat(failed.score()).isCloseTo(100.0 / 3, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(failed.verdict()).isEqualTo(Verdict.Failed);
        assertThat(failed.outcome()).isEqualTo(Outcome.BELOW_MARGINAL);
        assertThat(failed.describe()).startsWith("score 33.3 (pass 90, marginal 60): Failed, below marginal; b: ");

        // at exactly the pass threshold: passed
        assertThat(Scorecard.of(List.of(pass("a", 9), high("b", 1, false)), THRESHOLDS).verdict()).isEqualTo(Verdict.Passed);
        // at exactly marginal: inconclusive
        assertThat(Scorecard.of(List.of(pass("a", 3), high("b", 2, false)), THRESHOLDS).verdict()).isEqualTo(Verdict.Inconclusive);
    }

    @Test
    void aCriticalMetricHighOrLowFailsTheCheckWhateverTheScore() {
        Scorecard card = Scorecard.of(List.of(pass("a", 100), high("request-duration", 1, true)), THRESHOLDS);

        assertThat(card.score()).isCloseTo(99.0099, org.assertj.core.api.Assertions.within(1e-4));
        assertThat(card.verdict()).isEqualTo(Verdict.Failed);
        assertThat(card.outcome()).isEqualTo(Outcome.CRITICAL_FAILED);
        assertThat(card.describe()).contains("Failed, a critical metric failed; request-duration (critical): ");
        // critical beats missing data too
        assertThat(Scorecard.of(List.of(noData("a", 1), high("b", 1, true)), THRESHOLDS).outcome()).isEqualTo(Outcome.CRITICAL_FAILED);
    }

    @Test
    void aMetricWithoutDataNeverLetsTheCheckPass() {
        Scorecard card = Scorecard.of(List.of(pass("a", 1), noData("b", 1)), THRESHOLDS);

        assertThat(card.score()).isEqualTo(100.0);
        assertThat(card.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(card.outcome()).isEqualTo(Outcome.TOO_LITTLE_DATA);
        assertThat(card.describe()).isEqualTo("score 100 (pass 90, marginal 60): Inconclusive, too few points; b: 12 canary and 3"
                + " baseline points, fewer than the minimum: NoData");
        // a critical metric without data is no failure either
        MetricJudgment criticalWithoutData = new MetricJudgment("b", noData("b", 1).comparison(), 1, true);
        assertThat(Scorecard.of(List.of(pass("a", 1), criticalWithoutData), THRESHOLDS).verdict()).isEqualTo(Verdict.Inconclusive);
        // nothing at all
        Scorecard none = Scorecard.of(List.of(noData("a", 1)), THRESHOLDS);
        assertThat(none.score()).isNull();
        assertThat(none.verdict()).isEqualTo(Verdict.Inconclusive);
        Scorecard empty = Scorecard.of(List.of(), THRESHOLDS);
        assertThat(empty.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(empty.describe()).isEqualTo("score none (pass 90, marginal 60): Inconclusive, no compared metric");
    }

    @Test
    void missingDataThatCouldNotSaveTheCheckFailsItNow() {
        // a and b High, c without data: even were c to pass, 1 of 3 is below marginal
        Scorecard card = Scorecard.of(List.of(high("a", 1, false), high("b", 1, false), noData("c", 1)), THRESHOLDS);

        assertThat(card.score()).isEqualTo(0.0);
        assertThat(card.verdict()).isEqualTo(Verdict.Failed);
        assertThat(card.outcome()).isEqualTo(Outcome.BELOW_MARGINAL);
        // but with c heavy enough to reach marginal, it waits for c's data
        assertThat(Scorecard.of(List.of(high("a", 1, false), noData("c", 2)), THRESHOLDS).outcome()).isEqualTo(Outcome.TOO_LITTLE_DATA);
    }

    @Test
    void weightsAndThresholdsAreChecked() {
        assertThatThrownBy(() -> pass("a", 0)).hasMessageContaining("weight must be a positive number");
        assertThatThrownBy(() -> new Thresholds(60, 90)).hasMessageContaining("marginal <= pass");
        assertThatThrownBy(() -> new Thresholds(101, 90)).isInstanceOf(IllegalArgumentException.class);
    }

    private static MetricJudgment pass(String name, double weight) {
        return judged(name, Classification.Pass, Basis.NOT_SIGNIFICANT, weight, false);
    }

    private static MetricJudgment high(String name, double weight, boolean critical) {
        return judged(name, Classification.High, Basis.SIGNIFICANT, weight, critical);
    }

    private static MetricJudgment low(String name, double weight) {
        return judged(name, Classification.Low, Basis.SIGNIFICANT, weight, false);
    }

    private static MetricJudgment noData(String name, double weight) {
        return new MetricJudgment(name, new Comparison(Classification.NoData, Basis.TOO_FEW_POINTS, 12, 3, 215.5, 160.0, null, null,
                null, 0.98, null, null, false, null), weight, false);
    }

    private static MetricJudgment judged(String name, Classification classification, Basis basis, double weight, boolean critical) {
        return new MetricJudgment(name, new Comparison(classification, basis, 12, 11, 215.5, 169.0, 49.0, 29.0, 67.0, 0.98, 131.0,
                2.95840920420272e-06, true, 0.0), weight, critical);
    }
}
