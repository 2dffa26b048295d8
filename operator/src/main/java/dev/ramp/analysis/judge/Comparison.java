package dev.ramp.analysis.judge;

import dev.ramp.api.Classification;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * One metric of the canary judged against its baseline, with everything that explains the
 * classification: the points counted on each side, their medians, the Hodges-Lehmann shift
 * ({@code canary - baseline}) and its interval at {@code confidence}, the Mann-Whitney U statistic
 * of the canary and its two-sided p-value (and whether it is exact), the allowed shift, and the
 * {@link Basis} of the decision. Values unknown for lack of points are null.
 */
public record Comparison(Classification classification, Basis basis, int canaryPoints, int baselinePoints,
        Double canaryMedian, Double baselineMedian, Double shift, Double lower, Double upper, double confidence,
        Double statistic, Double pValue, boolean exact, Double allowed) {

    /** Why the classification is what it is. */
    public enum Basis {
        /** Fewer than the minimum points on a side: {@link Classification#NoData}. */
        TOO_FEW_POINTS,
        /** Every point on both sides has the same value: no difference at all, Pass. */
        ALL_EQUAL,
        /**
         * Each side constant, at different values: the shift is certain (every pairwise difference
         * is the same), so it is classed by the direction and the allowed effect alone, without the test.
         */
        CONSTANT_SIDES,
        /** The p-value is not below {@code 1 - confidence}: no evidence of a difference, Pass. */
        NOT_SIGNIFICANT,
        /** A significant shift, but within the allowed effect: Pass. */
        WITHIN_ALLOWED,
        /** A significant shift beyond the allowed effect, in the harmless direction: Pass. */
        HARMLESS_DIRECTION,
        /** A significant shift beyond the allowed effect in the bad direction: High or Low. */
        SIGNIFICANT
    }

    /** The shift relative to the baseline's median (0.32 = +32%); null without one or on a median of 0. */
    public Double relativeShift() {
        return shift == null || baselineMedian == null || baselineMedian == 0 ? null : shift / Math.abs(baselineMedian);
    }

    /**
     * The comparison in one line, for a condition, an Event or a revert's message, e.g.
     * {@code canary median 212 vs baseline 160 (12/11 points), shift +49 (+30.6%), 98% CI +29..+67,
     * p=3.0e-06: High}.
     */
    public String describe() {
        if (basis == Basis.TOO_FEW_POINTS) {
            return String.format(Locale.ROOT, "%d canary and %d baseline points, fewer than the minimum: %s", canaryPoints,
                    baselinePoints, classification);
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "canary median %s vs baseline %s (%d/%d points), shift %s",
                number(canaryMedian), number(baselineMedian), canaryPoints, baselinePoints, signed(shift)));
        Double relative = relativeShift();
        if (relative != null) {
            text.append(String.format(Locale.ROOT, " (%+.1f%%)", 100 * relative));
        }
        text.append(String.format(Locale.ROOT, ", %s%% CI %s..%s", number(100 * confidence), signed(lower), signed(upper)));
        if (pValue != null) {
            text.append(String.format(Locale.ROOT, ", p=%.2g", pValue));
        }
        if (allowed != null && allowed > 0) {
            text.append(", allowed ±").append(number(allowed));
        }
        return text.append(": ").append(classification).append(switch (basis) {
            case ALL_EQUAL -> " (all points equal)";
            case CONSTANT_SIDES -> " (both sides constant)";
            case NOT_SIGNIFICANT -> " (not significant)";
            case WITHIN_ALLOWED -> " (within the allowed effect)";
            case HARMLESS_DIRECTION -> " (a change in the harmless direction)";
            default -> "";
        }).toString();
    }

    private static String signed(double v) {
        return (v > 0 ? "+" : "") + number(v);
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return String.valueOf((long) v);
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
