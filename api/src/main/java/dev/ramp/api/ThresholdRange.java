package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Bounds, inclusive, that a metric's value must respect. */
@ValidationRule(value = "has(self.min) || has(self.max)", message = "thresholdRange needs min, max or both", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.min) || !has(self.max) || self.min <= self.max", message = "thresholdRange.min must not exceed max")
public class ThresholdRange {

    @JsonPropertyDescription("Lowest passing value, inclusive.")
    private Double min;

    @JsonPropertyDescription("Highest passing value, inclusive.")
    private Double max;

    public ThresholdRange() {
    }

    public ThresholdRange(Double min, Double max) {
        this.min = min;
        this.max = max;
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
}
