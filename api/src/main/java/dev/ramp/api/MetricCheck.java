package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** One check of a release: a metric's value compared with a range, or judged against a baseline (compare). */
@ValidationRule(value = "!(has(self.thresholdRange) && has(self.compare))",
        message = "a metric is checked against a thresholdRange or compared with its baseline (compare), not both: use two metrics",
        reason = "FieldValueForbidden")
@ValidationRule(value = "has(self.thresholdRange) || has(self.compare)",
        message = "a metric needs a thresholdRange or compare", reason = "FieldValueRequired")
@ValidationRule(value = "has(self.templateRef) || self.name in ['request-success-rate', 'request-duration']",
        message = "a metric other than request-success-rate or request-duration needs a templateRef", reason = "FieldValueRequired")
public class MetricCheck {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Name of the check. request-success-rate (percent) and request-duration (p99, milliseconds) are built in; any other name needs a templateRef.")
    private String name;

    @JsonPropertyDescription("The MetricTemplate whose query gives this metric's value.")
    private ObjectRef templateRef;

    @JsonPropertyDescription("The range the value must lie in for the check to pass. Either this or compare.")
    private ThresholdRange thresholdRange;

    @JsonPropertyDescription("Judge the metric against the primary (the promoted revision) instead of a range: the canary's points against the primary's over the window, by a Mann-Whitney U test, scored with the other compare metrics (analysis.judge; docs/judge.md). Either this or thresholdRange.")
    private CompareSpec compare;

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

    public CompareSpec getCompare() {
        return compare;
    }

    public void setCompare(CompareSpec compare) {
        this.compare = compare;
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
