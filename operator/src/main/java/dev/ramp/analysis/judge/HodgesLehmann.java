package dev.ramp.analysis.judge;

import java.util.Arrays;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

/**
 * The Hodges-Lehmann shift of a canary against its baseline: the median of all pairwise
 * differences {@code canary[i] - baseline[j]}, with its confidence interval found by inverting the
 * Mann-Whitney U test: the interval holds every shift {@code mu} for which the test of
 * {@code canary - mu} against the baseline does not reject at {@code 1 - confidence}. No
 * bootstrap, and no distribution of our own: each candidate is judged by Commons Statistics'
 * {@link MannWhitneyUTest}, exact or normal with the same rules as the p-value.
 *
 * <p>The test's statistic only changes at a pairwise difference, so the candidates are one shift
 * inside each gap between consecutive distinct differences, and a bound is the difference at the
 * edge of the outermost accepted gap, clamped to the smallest and largest difference. Without
 * ties and below 50 points a side this is R's exact interval ({@code wilcox.test(conf.int =
 * TRUE)}); otherwise it is the pairwise difference nearest R's root of the normal approximation.
 * The gaps are searched by bisection, on the test's acceptance growing towards the estimate
 * (exactly so without ties; the tie correction varies with the shift, a little).
 */
public record HodgesLehmann(double estimate, double lower, double upper) {

    /**
     * The shift and its interval; {@code test} is the two-sided test whose acceptance defines the
     * interval. The pairwise differences take {@code canary.length * baseline.length} doubles,
     * so callers bound the samples.
     */
    public static HodgesLehmann of(double[] canary, double[] baseline, MannWhitneyUTest test, double confidence) {
        double[] differences = new double[canary.length * baseline.length];
        int k = 0;
        for (double c : canary) {
            for (double b : baseline) {
                differences[k++] = c - b;
            }
        }
        Arrays.sort(differences);
        int count = differences.length;
        double estimate = count % 2 == 1 ? differences[count / 2]
                : (differences[count / 2 - 1] + differences[count / 2]) / 2;
        double[] distinct = Arrays.stream(differences).distinct().toArray();
        Gaps gaps = new Gaps(distinct, canary, baseline, test, 1 - confidence);
        int centre = Math.max(0, Math.min(gaps.count() - 1, countBelow(distinct, estimate)));
        if (!gaps.accepted(centre)) {
            return new HodgesLehmann(estimate, estimate, estimate);
        }
        int first = firstAccepted(gaps, centre);
        int last = lastAccepted(gaps, centre);
        double lower = first == 0 ? distinct[0] : distinct[first - 1];
        double upper = last == gaps.count() - 1 ? distinct[distinct.length - 1] : distinct[last];
        return new HodgesLehmann(estimate, lower, upper);
    }

    /** The first accepted gap in {@code [0, centre]}, {@code centre} being accepted. */
    private static int firstAccepted(Gaps gaps, int centre) {
        int low = 0;
        int high = centre;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (gaps.accepted(mid)) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    /** The last accepted gap in {@code [centre, count)}, {@code centre} being accepted. */
    private static int lastAccepted(Gaps gaps, int centre) {
        int low = centre;
        int high = gaps.count() - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (gaps.accepted(mid)) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** How many of the sorted distinct values lie below {@code value}. */
    private static int countBelow(double[] sorted, double value) {
        int i = Arrays.binarySearch(sorted, value);
        return i >= 0 ? i : -i - 1;
    }

    /**
     * The gaps around {@code n} sorted distinct differences: gap 0 below the smallest, gap
     * {@code g} between the {@code g}th and the next, gap {@code n} above the largest.
     */
    private record Gaps(double[] distinct, double[] canary, double[] baseline, MannWhitneyUTest test, double alpha) {

        int count() {
            return distinct.length + 1;
        }

        /** Whether the test keeps the shifts inside gap {@code g}: its p-value is at least alpha. */
        boolean accepted(int g) {
            return test.withMu(shift(g)).test(canary, baseline).getPValue() >= alpha;
        }

        private double shift(int g) {
            int n = distinct.length;
            if (g == 0) {
                return distinct[0] - Math.max(1, Math.abs(distinct[0]));
            }
            if (g == n) {
                return distinct[n - 1] + Math.max(1, Math.abs(distinct[n - 1]));
            }
            return distinct[g - 1] + (distinct[g] - distinct[g - 1]) / 2;
        }
    }
}
