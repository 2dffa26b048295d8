package dev.ramp.analysis.judge;

import dev.ramp.analysis.judge.Comparison.Basis;
import dev.ramp.api.Classification;
import dev.ramp.api.Direction;
import dev.ramp.api.JudgeSpec;
import java.util.Arrays;
import org.apache.commons.statistics.descriptive.Median;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * Classes one metric of the canary against its baseline, as Kayenta's judge does: a two-sided
 * Mann-Whitney U test of the canary's points against the baseline's (Apache Commons Statistics:
 * exact below 50 points a side without ties, otherwise the normal approximation with the tie and
 * continuity corrections, as R's {@code wilcox.test} defaults), and the Hodges-Lehmann shift as
 * the effect. The canary is High (or Low) when the p-value is below {@code 1 - confidence}, the
 * shift is larger than the {@link AllowedEffect}, and higher (lower) is bad in the metric's
 * {@link Direction}; otherwise Pass. Fewer than {@code minPoints} on a side is NoData, never Pass.
 * Constant samples are decided without the test, whose variance is then zero or whose answer is
 * certain: all equal is Pass, two different constants are classed by the shift alone.
 */
public final class MannWhitneyJudge {

    /** The latest points kept per side (the API's bound on minPoints). */
    public static final int MAX_POINTS = JudgeSpec.MAX_POINTS;

    private static final MannWhitneyUTest TEST = MannWhitneyUTest.withDefaults().with(PValueMethod.AUTO)
            .with(ContinuityCorrection.ENABLED);

    private final double confidence;
    private final int minPoints;

    public MannWhitneyJudge(double confidence, int minPoints) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must lie strictly between 0 and 1, was " + confidence);
        }
        if (minPoints < 1) {
            throw new IllegalArgumentException("minPoints must be at least 1, was " + minPoints);
        }
        this.confidence = confidence;
        this.minPoints = minPoints;
    }

    /** The judge {@code analysis.judge} asks for (null: the defaults). */
    public static MannWhitneyJudge of(JudgeSpec judge) {
        return new MannWhitneyJudge(JudgeSpec.effectiveConfidence(judge), JudgeSpec.effectiveMinPoints(judge));
    }

    public static MannWhitneyJudge withDefaults() {
        return new MannWhitneyJudge(JudgeSpec.DEFAULT_CONFIDENCE, JudgeSpec.DEFAULT_MIN_POINTS);
    }

    /**
     * The canary's points against the baseline's, each in time order; points that are not finite
     * numbers (Prometheus' NaN of a rate over no requests) are left out, and of the rest the
     * latest {@link #MAX_POINTS} are kept.
     */
    public Comparison compare(double[] canaryPoints, double[] baselinePoints, Direction direction, AllowedEffect allowedEffect) {
        double[] canary = usable(canaryPoints);
        double[] baseline = usable(baselinePoints);
        Double canaryMedian = median(canary);
        Double baselineMedian = median(baseline);
        if (canary.length < minPoints || baseline.length < minPoints) {
            return new Comparison(Classification.NoData, Basis.TOO_FEW_POINTS, canary.length, baseline.length, canaryMedian,
                    baselineMedian, null, null, null, confidence, null, null, false, null);
        }
        double allowed = allowedEffect.allowed(baselineMedian);
        if (constant(canary) && constant(baseline)) {
            double shift = canary[0] - baseline[0];
            Basis basis = shift == 0 ? Basis.ALL_EQUAL : Basis.CONSTANT_SIDES;
            // All equal: the test's variance is 0 and it has no p-value; there is no difference to test.
            MannWhitneyUTest.Result result = shift == 0 ? null : TEST.test(canary, baseline);
            double statistic = result == null ? (double) canary.length * baseline.length / 2 : result.getStatistic();
            return new Comparison(classify(shift, allowed, direction), basis, canary.length, baseline.length, canaryMedian,
                    baselineMedian, shift, shift, shift, confidence, statistic, result == null ? 1.0 : result.getPValue(), false,
                    allowed);
        }
        MannWhitneyUTest.Result result = TEST.test(canary, baseline);
        HodgesLehmann shift = HodgesLehmann.of(canary, baseline, TEST, confidence);
        boolean exact = Math.max(canary.length, baseline.length) < 50 && !result.hasTiedValues();
        boolean significant = result.getPValue() < 1 - confidence;
        Classification classification = significant ? classify(shift.estimate(), allowed, direction) : Classification.Pass;
        Basis basis = !significant ? Basis.NOT_SIGNIFICANT : basis(shift.estimate(), allowed, direction);
        return new Comparison(classification, basis, canary.length, baseline.length, canaryMedian, baselineMedian,
                shift.estimate(), shift.lower(), shift.upper(), confidence, result.getStatistic(), result.getPValue(), exact, allowed);
    }

    /** A shift known to be real, classed by its size and the direction that is bad. */
    private static Classification classify(double shift, double allowed, Direction direction) {
        if (Math.abs(shift) <= allowed) {
            return Classification.Pass;
        }
        if (shift > 0) {
            return direction.higherIsBad() ? Classification.High : Classification.Pass;
        }
        return direction.lowerIsBad() ? Classification.Low : Classification.Pass;
    }

    private static Basis basis(double shift, double allowed, Direction direction) {
        if (Math.abs(shift) <= allowed) {
            return Basis.WITHIN_ALLOWED;
        }
        return classify(shift, allowed, direction) == Classification.Pass ? Basis.HARMLESS_DIRECTION : Basis.SIGNIFICANT;
    }

    private static double[] usable(double[] points) {
        double[] finite = Arrays.stream(points).filter(Double::isFinite).toArray();
        return finite.length <= MAX_POINTS ? finite : Arrays.copyOfRange(finite, finite.length - MAX_POINTS, finite.length);
    }

    private static Double median(double[] points) {
        return points.length == 0 ? null : Median.withDefaults().evaluate(points);
    }

    private static boolean constant(double[] points) {
        return Arrays.stream(points).allMatch(p -> p == points[0]);
    }

    public double confidence() {
        return confidence;
    }

    public int minPoints() {
        return minPoints;
    }
}
