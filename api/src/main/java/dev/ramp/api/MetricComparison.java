package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * How the statistical judge saw one compare metric at the last check: the canary's points against
 * the comparison side's (the baseline with {@code analysis.baseline}, else the primary), each side's point count and median,
 * the Hodges-Lehmann shift with its confidence interval, the p-value and the classification. The
 * operator writes it into status.metrics[] and a rollback's cause; the operator's Events, the Git
 * revert's message and the CLI all print it with {@link #describe(String)}, so they say the same.
 */
public class MetricComparison {

    /** The comparison side while no baseline runs: the primary, running the promoted revision. */
    public static final String PRIMARY = "primary";
    /** The comparison side with {@code analysis.baseline}: the baseline Deployment of the promoted revision. */
    public static final String BASELINE = "baseline";

    @JsonPropertyDescription("What the canary was compared with: baseline (the promoted revision's baseline Deployment, with analysis.baseline) or primary (the promoted revision's Deployment).")
    private String comparedWith;

    @JsonPropertyDescription("The canary's points in the window (finite values only).")
    private Integer canaryPoints;

    @JsonPropertyDescription("The comparison side's points in the window.")
    private Integer comparisonPoints;

    @JsonPropertyDescription("The median of the canary's points.")
    private Double canaryMedian;

    @JsonPropertyDescription("The median of the comparison side's points.")
    private Double comparisonMedian;

    @JsonPropertyDescription("The effect: the Hodges-Lehmann shift of the canary against the comparison side (canary - comparison), in the metric's unit.")
    private Double shift;

    @JsonPropertyDescription("The shift relative to the comparison side's median (0.32 = +32%); absent on a median of 0.")
    private Double relativeShift;

    @JsonPropertyDescription("Lower end of the shift's confidence interval, in the metric's unit.")
    private Double lower;

    @JsonPropertyDescription("Upper end of the shift's confidence interval, in the metric's unit.")
    private Double upper;

    @JsonPropertyDescription("The confidence of the test and of the interval, e.g. 0.98.")
    private Double confidence;

    @JsonProperty("pValue")
    @JsonPropertyDescription("The Mann-Whitney U test's two-sided p-value.")
    private Double pValue;

    @JsonPropertyDescription("Pass, High or Low (significantly beyond the allowed effect, in the bad direction), or NoData (too few points).")
    private Classification classification;

    @JsonPropertyDescription("Whether the metric is critical: High or Low fails the check whatever the score.")
    private Boolean critical;

    @JsonPropertyDescription("The metric's unit, when Ramp knows it (ms for request-duration, % for request-success-rate).")
    private String unit;

    /**
     * The comparison in one line, e.g. {@code request-duration: canary median 212 ms vs primary 160
     * ms, +32% (98% CI +25..+40%), High}; without a relative shift (a median of 0) the shift and
     * its interval are in the metric's unit.
     */
    public String describe(String metric) {
        return metric + (Boolean.TRUE.equals(critical) ? " (critical)" : "") + ": " + summary();
    }

    /** {@link #describe(String)} without the metric's name, for a line that names it already. */
    public String summary() {
        String side = comparedWith == null ? PRIMARY : comparedWith;
        if (classification == Classification.NoData || shift == null) {
            return String.format(Locale.ROOT, "%d canary and %d %s points, too few to compare: %s", value(canaryPoints),
                    value(comparisonPoints), side, classification);
        }
        StringBuilder text = new StringBuilder("canary median ").append(withUnit(canaryMedian)).append(" vs ")
                .append(side).append(' ').append(withUnit(comparisonMedian)).append(", ");
        String level = number(100 * (confidence == null ? 0 : confidence)) + "% CI ";
        if (relativeShift != null && comparisonMedian != null && comparisonMedian != 0) {
            double base = Math.abs(comparisonMedian);
            String low = percent(lower / base);
            text.append(percent(relativeShift)).append(" (").append(level).append(low, 0, low.length() - 1).append("..")
                    .append(percent(upper / base)).append(')');
        } else {
            text.append("shift ").append(signed(shift)).append(unitSuffix()).append(" (").append(level).append(signed(lower)).append("..")
                    .append(signed(upper)).append(unitSuffix()).append(')');
        }
        return text.append(", ").append(classification).toString();
    }

    private String withUnit(Double v) {
        return v == null ? "-" : number(v) + unitSuffix();
    }

    private String unitSuffix() {
        return unit == null || unit.isEmpty() ? "" : "%".equals(unit) ? "%" : " " + unit;
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }

    private static String percent(double fraction) {
        double p = 100 * fraction;
        if (Math.abs(p) < 0.05) {
            // An interval's end at 0 comes out of the arithmetic as -1.4e-14: it reads 0%.
            return "0%";
        }
        String text = Math.abs(p) >= 10 ? String.valueOf(Math.round(p)) : new BigDecimal(p).round(new MathContext(2)).stripTrailingZeros()
                .toPlainString();
        return (p > 0 && !text.startsWith("+") ? "+" : "") + text + "%";
    }

    private static String signed(Double v) {
        return v == null ? "-" : (v > 0 ? "+" : "") + number(v);
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return String.valueOf((long) v);
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    public String getComparedWith() {
        return comparedWith;
    }

    public void setComparedWith(String comparedWith) {
        this.comparedWith = comparedWith;
    }

    public Integer getCanaryPoints() {
        return canaryPoints;
    }

    public void setCanaryPoints(Integer canaryPoints) {
        this.canaryPoints = canaryPoints;
    }

    public Integer getComparisonPoints() {
        return comparisonPoints;
    }

    public void setComparisonPoints(Integer comparisonPoints) {
        this.comparisonPoints = comparisonPoints;
    }

    public Double getCanaryMedian() {
        return canaryMedian;
    }

    public void setCanaryMedian(Double canaryMedian) {
        this.canaryMedian = canaryMedian;
    }

    public Double getComparisonMedian() {
        return comparisonMedian;
    }

    public void setComparisonMedian(Double comparisonMedian) {
        this.comparisonMedian = comparisonMedian;
    }

    public Double getShift() {
        return shift;
    }

    public void setShift(Double shift) {
        this.shift = shift;
    }

    public Double getRelativeShift() {
        return relativeShift;
    }

    public void setRelativeShift(Double relativeShift) {
        this.relativeShift = relativeShift;
    }

    public Double getLower() {
        return lower;
    }

    public void setLower(Double lower) {
        this.lower = lower;
    }

    public Double getUpper() {
        return upper;
    }

    public void setUpper(Double upper) {
        this.upper = upper;
    }

    public Double getConfidence() {
        return confidence;
    }

    public void setConfidence(Double confidence) {
        this.confidence = confidence;
    }

    @JsonProperty("pValue")
    public Double getPValue() {
        return pValue;
    }

    @JsonProperty("pValue")
    public void setPValue(Double pValue) {
        this.pValue = pValue;
    }

    public Classification getClassification() {
        return classification;
    }

    public void setClassification(Classification classification) {
        this.classification = classification;
    }

    public Boolean getCritical() {
        return critical;
    }

    public void setCritical(Boolean critical) {
        this.critical = critical;
    }

    public String getUnit() {
        return unit;
    }

    public void setUnit(String unit) {
        this.unit = unit;
    }
}
