package dev.ramp.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ramp.analysis.judge.Comparison.Basis;
import dev.ramp.api.Classification;
import dev.ramp.api.Direction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The judge against known values. Every expected W, p-value, estimate and interval below was
 * computed with R 4.2.2 (Debian's r-base-core) by
 * {@code wilcox.test(canary, baseline, conf.int = TRUE, conf.level = 0.98)} (R's defaults:
 * exact below 50 points a side without ties, else the normal approximation with the tie and
 * continuity corrections), printed with {@code options(digits = 15)}; and the Hodges-Lehmann
 * estimate as {@code median(outer(canary, baseline, "-"))}, which is what R reports as the exact
 * case's estimate (its normal case's estimate is a root found by uniroot to 1e-4, so is compared
 * within that). R's normal-approximation interval is also a uniroot root; ours is the pairwise
 * difference it converges to, so those are compared within 1e-3. {@code
 * operator/src/test/r/wilcox-known-values.R} prints them all again.
 */
class MannWhitneyJudgeTest {

    private final MannWhitneyJudge judge = MannWhitneyJudge.withDefaults();

    // latency-like, no ties, 12 vs 11 points: exact
    static final double[] SLOW_CANARY = {212, 198, 240, 187, 225, 231, 205, 219, 244, 201, 236, 210};
    static final double[] BASELINE = {161, 172, 158, 190, 166, 149, 181, 175, 169, 155, 184};

    @Test
    void exactTestWithoutTiesMatchesR() {
        // R: W = 131, p-value = 2.95840920420272e-06, difference in location 49, 98% CI 29 67
        Comparison c = judge.compare(SLOW_CANARY, BASELINE, Direction.Increase, AllowedEffect.NONE);

        assertThat(c.statistic()).isEqualTo(131.0);
        assertThat(c.pValue()).isCloseTo(2.95840920420272e-06, within(1e-15));
        assertThat(c.exact()).isTrue();
        assertThat(c.shift()).isEqualTo(49.0);
        assertThat(c.lower()).isEqualTo(29.0);
        assertThat(c.upper()).isEqualTo(67.0);
        assertThat(c.canaryMedian()).isEqualTo(215.5);
        assertThat(c.baselineMedian()).isEqualTo(169.0);
        assertThat(c.canaryPoints()).isEqualTo(12);
        assertThat(c.baselinePoints()).isEqualTo(11);
        assertThat(c.classification()).isEqualTo(Classification.High);
        assertThat(c.basis()).isEqualTo(Basis.SIGNIFICANT);
        assertThat(c.relativeShift()).isCloseTo(49.0 / 169, within(1e-12));
        assertThat(c.describe()).isEqualTo("canary median 215.5 vs baseline 169 (12/11 points), shift +49 (+29.0%),"
                + " 98% CI +29..+67, p=3.0e-06: High");
    }

    @Test
    void exactTestOfTwoAlikeSamplesPasses() {
        // R: W = 53, p-value = 0.853428305440689, difference in location 0.15, 98% CI -0.9 1
        double[] canary = {10.2, 11.5, 9.8, 10.9, 12.1, 10.4, 11.0, 9.5, 10.7, 11.8};
        double[] baseline = {10.5, 11.1, 9.9, 10.1, 11.6, 10.8, 9.7, 11.3, 10.0, 11.9};

        Comparison c = judge.compare(canary, baseline, Direction.Either, AllowedEffect.NONE);

        assertThat(c.statistic()).isEqualTo(53.0);
        assertThat(c.pValue()).isCloseTo(0.853428305440689, within(1e-12));
        assertThat(c.shift()).isCloseTo(0.15, within(1e-12));
        assertThat(c.lower()).isCloseTo(-0.9, within(1e-12));
        assertThat(c.upper()).isCloseTo(1.0, within(1e-12));
        assertThat(c.classification()).isEqualTo(Classification.Pass);
        assertThat(c.basis()).isEqualTo(Basis.NOT_SIGNIFICANT);
    }

    @Test
    void exactTestOfALowerCanary() {
        // R: W = 0, p-value = 1.0825088224469e-05, difference in location -0.13, 98% CI -0.17 -0.08
        double[] canary = {0.91, 0.85, 0.88, 0.79, 0.93, 0.82, 0.86, 0.90, 0.84, 0.81};
        double[] baseline = {0.97, 0.99, 0.95, 1.02, 0.96, 1.01, 0.94, 0.98, 1.00, 1.03};

        Comparison decrease = judge.compare(canary, baseline, Direction.Decrease, AllowedEffect.NONE);

        assertThat(decrease.statistic()).isEqualTo(0.0);
        assertThat(decrease.pValue()).isCloseTo(1.0825088224469e-05, within(1e-15));
        assertThat(decrease.shift()).isCloseTo(-0.13, within(1e-12));
        assertThat(decrease.lower()).isCloseTo(-0.17, within(1e-12));
        assertThat(decrease.upper()).isCloseTo(-0.08, within(1e-12));
        assertThat(decrease.classification()).isEqualTo(Classification.Low);
        assertThat(judge.compare(canary, baseline, Direction.Either, AllowedEffect.NONE).classification())
                .isEqualTo(Classification.Low);
        // a success rate that fell is bad; a latency that fell is not
        Comparison increase = judge.compare(canary, baseline, Direction.Increase, AllowedEffect.NONE);
        assertThat(increase.classification()).isEqualTo(Classification.Pass);
        assertThat(increase.basis()).isEqualTo(Basis.HARMLESS_DIRECTION);
    }

    @Test
    void tiesUseTheNormalApproximationWithTieCorrection() {
        // R: W = 93.5, p-value = 0.0919477030186827, difference in location 1.00001241402678,
        // 98% CI -0.999981385247596 3.00003736002453; median(outer(...)) = 1
        double[] canary = {3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 8, 9};
        double[] baseline = {2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7};

        Comparison c = judge.compare(canary, baseline, Direction.Increase, AllowedEffect.NONE);

        assertThat(c.statistic()).isEqualTo(93.5);
        assertThat(c.pValue()).isCloseTo(0.0919477030186827, within(1e-12));
        assertThat(c.exact()).isFalse();
        assertThat(c.shift()).isEqualTo(1.0);
        assertThat(c.lower()).isCloseTo(-0.999981385247596, within(1e-3));
        assertThat(c.upper()).isCloseTo(3.00003736002453, within(1e-3));
        assertThat(c.classification()).isEqualTo(Classification.Pass);
        assertThat(c.basis()).isEqualTo(Basis.NOT_SIGNIFICANT);
    }

    @Test
    void largeSamplesUseTheNormalApproximationAndTheConfidenceDecides() {
        // 60 points a side, no ties: canary 103 + ((i * 37) mod 61) / 2, baseline 100.25 + ((i * 23) mod 59) / 2.
        // R: W = 2198, p-value = 0.0369480575825751, difference in location 3.74998322223726 (median of the
        // differences 3.75); 98% CI -0.250027583664377 7.74991591571145; 95% CI 0.249933696859617 6.75000706282091
        double[] canary = IntStream.range(0, 60).mapToDouble(i -> 103 + ((i * 37) % 61) * 0.5).toArray();
        double[] baseline = IntStream.range(0, 60).mapToDouble(i -> 100.25 + ((i * 23) % 59) * 0.5).toArray();

        Comparison at98 = judge.compare(canary, baseline, Direction.Increase, AllowedEffect.NONE);

        assertThat(at98.statistic()).isEqualTo(2198.0);
        assertThat(at98.pValue()).isCloseTo(0.0369480575825751, within(1e-12));
        assertThat(at98.exact()).isFalse();
        assertThat(at98.shift()).isEqualTo(3.75);
        assertThat(at98.lower()).isCloseTo(-0.250027583664377, within(1e-3));
        assertThat(at98.upper()).isCloseTo(7.74991591571145, within(1e-3));
        assertThat(at98.classification()).isEqualTo(Classification.Pass);

        Comparison at95 = new MannWhitneyJudge(0.95, 10).compare(canary, baseline, Direction.Increase, AllowedEffect.NONE);

        assertThat(at95.lower()).isCloseTo(0.249933696859617, within(1e-3));
        assertThat(at95.upper()).isCloseTo(6.75000706282091, within(1e-3));
        assertThat(at95.classification()).isEqualTo(Classification.High);
        // +3.75 on a baseline median of 114.5 is 3.3%: a 5% tolerance allows it, a 2% one does not
        assertThat(new MannWhitneyJudge(0.95, 10).compare(canary, baseline, Direction.Increase, AllowedEffect.relative(0.05)))
                .extracting(Comparison::classification, Comparison::basis, Comparison::allowed)
                .containsExactly(Classification.Pass, Basis.WITHIN_ALLOWED, 0.05 * 114.5);
        assertThat(new MannWhitneyJudge(0.95, 10).compare(canary, baseline, Direction.Increase, AllowedEffect.relative(0.02))
                .classification()).isEqualTo(Classification.High);
    }

    @Test
    void theAllowedEffectIsTheLargerOfTheToleranceAndTheMinimum() {
        // shift +49 on a baseline median of 169: 29%
        assertThat(judge.compare(SLOW_CANARY, BASELINE, Direction.Increase, AllowedEffect.relative(0.3)).classification())
                .isEqualTo(Classification.Pass);
        assertThat(judge.compare(SLOW_CANARY, BASELINE, Direction.Increase, AllowedEffect.relative(0.25)).classification())
                .isEqualTo(Classification.High);
        assertThat(judge.compare(SLOW_CANARY, BASELINE, Direction.Increase, new AllowedEffect(0.25, 50.0)).classification())
                .isEqualTo(Classification.Pass);
        assertThat(judge.compare(SLOW_CANARY, BASELINE, Direction.Increase, new AllowedEffect(0.25, 48.0)).allowed())
                .isEqualTo(48.0);
    }

    @Test
    void fewerThanTheMinimumPointsOnASideIsNoDataNeverPass() {
        double[] nine = {161, 172, 158, 190, 166, 149, 181, 175, 169};

        Comparison c = judge.compare(SLOW_CANARY, nine, Direction.Increase, AllowedEffect.NONE);

        assertThat(c.classification()).isEqualTo(Classification.NoData);
        assertThat(c.basis()).isEqualTo(Basis.TOO_FEW_POINTS);
        assertThat(c.baselinePoints()).isEqualTo(9);
        assertThat(c.pValue()).isNull();
        assertThat(c.shift()).isNull();
        assertThat(c.describe()).isEqualTo("12 canary and 9 baseline points, fewer than the minimum: NoData");
        assertThat(judge.compare(new double[0], BASELINE, Direction.Either, AllowedEffect.NONE).canaryMedian()).isNull();
        // with a lower minimum the same nine points are judged
        assertThat(new MannWhitneyJudge(0.98, 9).compare(SLOW_CANARY, nine, Direction.Increase, AllowedEffect.NONE)
                .classification()).isEqualTo(Classification.High);
    }

    @Test
    void pointsThatAreNotNumbersDoNotCount() {
        double[] canary = {212, 198, Double.NaN, 240, 187, 225, 231, 205, 219, 244, 201, 236, 210, Double.POSITIVE_INFINITY};

        Comparison c = judge.compare(canary, BASELINE, Direction.Increase, AllowedEffect.NONE);

        assertThat(c.canaryPoints()).isEqualTo(12);
        assertThat(c.statistic()).isEqualTo(131.0);
        assertThat(c.pValue()).isCloseTo(2.95840920420272e-06, within(1e-15));
    }

    @Test
    void equalConstantsPass() {
        // R gives W = 60 and p-value NaN for rep(5, 10) against rep(5, 12): nothing to test
        Comparison c = judge.compare(constant(5, 10), constant(5, 12), Direction.Either, AllowedEffect.NONE);

        assertThat(c.classification()).isEqualTo(Classification.Pass);
        assertThat(c.basis()).isEqualTo(Basis.ALL_EQUAL);
        assertThat(c.shift()).isEqualTo(0.0);
        assertThat(c.statistic()).isEqualTo(60.0);
        assertThat(c.pValue()).isEqualTo(1.0);
    }

    @Test
    void differentConstantsAreClassedByTheShiftAlone() {
        // R: wilcox.test(rep(7, 10), rep(5, 12)): W = 120, p-value = 5.50952059377707e-06
        Comparison high = judge.compare(constant(7, 10), constant(5, 12), Direction.Increase, AllowedEffect.NONE);

        assertThat(high.classification()).isEqualTo(Classification.High);
        assertThat(high.basis()).isEqualTo(Basis.CONSTANT_SIDES);
        assertThat(high.shift()).isEqualTo(2.0);
        assertThat(high.lower()).isEqualTo(2.0);
        assertThat(high.upper()).isEqualTo(2.0);
        assertThat(high.statistic()).isEqualTo(120.0);
        assertThat(high.pValue()).isCloseTo(5.50952059377707e-06, within(1e-15));
        // +2 on 5 is 40%
        assertThat(judge.compare(constant(7, 10), constant(5, 12), Direction.Increase, AllowedEffect.relative(0.4))
                .classification()).isEqualTo(Classification.Pass);
        assertThat(judge.compare(constant(7, 10), constant(5, 12), Direction.Decrease, AllowedEffect.NONE)
                .classification()).isEqualTo(Classification.Pass);
        assertThat(judge.compare(constant(3, 10), constant(5, 12), Direction.Either, AllowedEffect.absolute(1))
                .classification()).isEqualTo(Classification.Low);
        // an error rate from 0 to 0.5: a relative tolerance allows nothing on 0, a minimum effect does
        assertThat(judge.compare(constant(0.5, 10), constant(0, 10), Direction.Increase, AllowedEffect.relative(0.5))
                .classification()).isEqualTo(Classification.High);
        assertThat(judge.compare(constant(0.5, 10), constant(0, 10), Direction.Increase, new AllowedEffect(0.5, 1.0))
                .classification()).isEqualTo(Classification.Pass);
    }

    @Test
    void onlyTheLatestPointsAreKept() {
        double[] old = IntStream.range(0, MannWhitneyJudge.MAX_POINTS + 5).mapToDouble(i -> i < 5 ? 1000 : 100 + i % 7).toArray();

        Comparison c = judge.compare(old, constant(100, 10), Direction.Increase, AllowedEffect.NONE);

        assertThat(c.canaryPoints()).isEqualTo(MannWhitneyJudge.MAX_POINTS);
        assertThat(c.canaryMedian()).isEqualTo(103.0);
    }

    private static double[] constant(double value, int n) {
        double[] points = new double[n];
        java.util.Arrays.fill(points, value);
        return points;
    }
}
