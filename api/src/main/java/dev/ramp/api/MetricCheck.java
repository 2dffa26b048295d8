package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** One check of a release: a metric's value compared with a range. */
@ValidationRule(value = "has(self.templateRef) || self.name in ['request-success-rate', 'request-duration']",
        message = "a metric other than request-success-rate or request-duration needs a templateRef", reason = "FieldValueRequired")
public class MetricCheck {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Name of the check. request-success-rate (percent) and request-duration (p99, milliseconds) are built in; any other name needs a templateRef.")
    private String name;

    @JsonPropertyDescription("The MetricTemplate whose query gives this metric's value.")
    private ObjectRef templateRef;

    @Required
    @JsonPropertyDescription("The range the value must lie in for the check to pass.")
    private ThresholdRange thresholdRange;

    @Pattern(AnalysisSpec.DURATION)
    @JsonPropertyDescription("Window the query looks back over, e.g. 1m; defaults to the analysis interval.")
    private String interval;

    @JsonPropertyDescription("Values for {{ variables.NAME }} in the template's query.")
    private Map<String, String> templateVariables;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public ObjectRef getTemplateRef() {
        return templateRef;
    }

    public void setTemplateRef(ObjectRef templateRef) {
        this.templateRef = templateRef;
    }

    public ThresholdRange getThresholdRange() {
        return thresholdRange;
    }

    public void setThresholdRange(ThresholdRange thresholdRange) {
        this.thresholdRange = thresholdRange;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public Map<String, String> getTemplateVariables() {
        return templateVariables;
    }

    public void setTemplateVariables(Map<String, String> templateVariables) {
        this.templateVariables = templateVariables;
    }
}
