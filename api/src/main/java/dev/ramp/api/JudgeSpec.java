package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the statistical judge scores a check's compare metrics (docs/judge.md): the confidence of
 * its test, the points it needs on each side, and the score that passes a check or fails it.
 */
@ValidationRule(value = "(has(self.marginal) ? self.marginal : 75.0) <= (has(self.pass) ? self.pass : 95.0)",
        message = "judge.marginal must not exceed judge.pass", reason = "FieldValueInvalid")
public class JudgeSpec {

    /** The defaults (Kayenta's confidence and usual thresholds); the CEL rule above repeats pass and marginal. */
    public static final double DEFAULT_PASS = 95;
    public static final double DEFAULT_MARGINAL = 75;
    public static final double DEFAULT_CONFIDENCE = 0.98;
    public static final int DEFAULT_MIN_POINTS = 10;
    /** The latest points the judge keeps per side: its interval takes canary x baseline pairwise differences. */
    public static final int MAX_POINTS = 1000;
    /** The name of the score's entry in status.metrics[], beside one entry per compare metric. */
    public static final String SCORE = "judge-score";

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("A check whose score (the weight of compare metrics classed Pass over the weight of those with data, 0-100) reaches this passes. Defaults to 95.")
    private Double pass;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("A check whose score is below this fails (counts toward threshold); between marginal and pass it is Inconclusive. Defaults to 75.")
    private Double marginal;

    @Min(0.5)
    @Max(0.9999)
    @JsonPropertyDescription("The confidence of the Mann-Whitney U test and of the shift's interval: a difference is significant when its p-value is below 1 - confidence. Defaults to 0.98.")
    private Double confidence;

    @Min(5)
    @Max(MAX_POINTS)
    @JsonPropertyDescription("Points needed on each side (canary and baseline) in the window; with fewer the metric is NoData and the check Inconclusive, never Passed. At least 5: below that no difference can be significant at 98%, so a bad canary would pass. Defaults to 10.")
    private Integer minPoints;

    @Pattern(AnalysisSpec.DURATION)
    @JsonPropertyDescription("The step of the range queries that give each side's points: one point per step, the metric over that step. At least Prometheus' scrape interval (a shorter step repeats one scrape's sample in several points, which the test would take for evidence). Defaults to analysis.interval. The window of a compare metric (its interval, default analysis.interval) is stretched to at least minPoints steps.")
    private String step;

    public String getStep() {
        return step;
    }

    public void setStep(String step) {
        this.step = step;
    }

    /** {@code judge.step}, or the analysis interval it defaults to. */
    public static String effectiveStep(JudgeSpec judge, String analysisInterval) {
        return judge == null || judge.step == null ? analysisInterval : judge.step;
    }

    public Double getPass() {
        return pass;
    }

    public void setPass(Double pass) {
        this.pass = pass;
    }

    public Double getMarginal() {
        return marginal;
    }

    public void setMarginal(Double marginal) {
        this.marginal = marginal;
    }

    public Double getConfidence() {
        return confidence;
    }

    public void setConfidence(Double confidence) {
        this.confidence = confidence;
    }

    public Integer getMinPoints() {
        return minPoints;
    }

    public void setMinPoints(Integer minPoints) {
        this.minPoints = minPoints;
    }

    /** {@code judge.pass}, or its default; {@code judge} may be null. */
    public static double effectivePass(JudgeSpec judge) {
        return judge == null || judge.pass == null ? DEFAULT_PASS : judge.pass;
    }

    /** {@code judge.marginal}, or its default. */
    public static double effectiveMarginal(JudgeSpec judge) {
        return judge == null || judge.marginal == null ? DEFAULT_MARGINAL : judge.marginal;
    }

    /** {@code judge.confidence}, or its default. */
    public static double effectiveConfidence(JudgeSpec judge) {
        return judge == null || judge.confidence == null ? DEFAULT_CONFIDENCE : judge.confidence;
    }

    /** {@code judge.minPoints}, or its default. */
    public static int effectiveMinPoints(JudgeSpec judge) {
        return judge == null || judge.minPoints == null ? DEFAULT_MIN_POINTS : judge.minPoints;
    }
}
