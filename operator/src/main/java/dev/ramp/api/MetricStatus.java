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

    @JsonPropertyDescription("Whether the last check passed.")
    private Boolean passed;

    @JsonPropertyDescription("Why the last check failed, when it did: out of range, no data, or the query's error.")
    private String message;

    public MetricStatus() {
    }

    public MetricStatus(String name, Double value, ThresholdRange range, Boolean passed, String message) {
        this.name = name;
        this.value = value;
        this.min = range.getMin();
        this.max = range.getMax();
        this.passed = passed;
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

    public Boolean getPassed() {
        return passed;
    }

    public void setPassed(Boolean passed) {
        this.passed = passed;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }
}
