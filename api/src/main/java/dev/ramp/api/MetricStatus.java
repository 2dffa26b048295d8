package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last result of one metric check, as users see it in status. */
public class MetricStatus {

    @JsonPropertyDescription("Name of the metric check.")
    private String name;

    @JsonPropertyDescription("The last value, or absent when the query returned no data.")
    private Double value;

    @JsonPropertyDescription("Lowest passing value, when the check has one.")
    private Double min;

    @JsonPropertyDescription("Highest passing value, when the check has one.")
    private Double max;

    @JsonPropertyDescription("The last check's verdict for this metric: Passed, Failed (out of range) or Inconclusive (no data, provider unreachable, too few requests, a query that cannot run).")
    private Verdict verdict;

    @JsonPropertyDescription("Why the last check did not pass, when it did not: out of range, no data, too few requests, or the query's error.")
    private String message;

    @JsonPropertyDescription("For a compare metric: how the judge compared the canary with the primary (points, medians, the shift and its interval, the classification).")
    private MetricComparison comparison;

    public MetricStatus() {
    }

    public MetricStatus(String name, Double value, ThresholdRange range, Verdict verdict, String message) {
        this.name = name;
        this.value = value;
        this.min = range.getMin();
        this.max = range.getMax();
        this.verdict = verdict;
        this.message = message;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Double getValue() {
        return value;
    }

    public void setValue(Double value) {
        this.value = value;
    }

    public Double getMin() {
        return min;
    }

    public void setMin(Double min) {
        this.min = min;
    }

    public Double getMax() {
        return max;
    }

    public void setMax(Double max) {
        this.max = max;
    }

    public Verdict getVerdict() {
        return verdict;
    }

    public void setVerdict(Verdict verdict) {
        this.verdict = verdict;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public MetricComparison getComparison() {
        return comparison;
    }

    public void setComparison(MetricComparison comparison) {
        this.comparison = comparison;
    }
}
