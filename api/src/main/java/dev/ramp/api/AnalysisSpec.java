package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** How a release is checked and how its traffic moves. */
@ValidationRule(value = "!(has(self.stepWeight) && has(self.stepWeights))",
        message = "stepWeight and stepWeights are mutually exclusive: use one", reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.stepWeight) || !has(self.maxWeight) || self.stepWeight <= self.maxWeight",
        message = "stepWeight must not exceed maxWeight", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.stepReplicas) || (!has(self.stepWeight) && !has(self.stepWeights) && !has(self.maxWeight))",
        message = "stepReplicas counts the steps in pods, stepWeight, maxWeight and stepWeights in percent: use one",
        reason = "FieldValueForbidden")
@ValidationRule(value = "!has(self.maxWeight) || has(self.stepWeight)",
        message = "maxWeight requires stepWeight", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.judge) || (has(self.metrics) && self.metrics.exists(m, has(m.compare)))",
        message = "analysis.judge scores compare metrics, and no metric has compare", reason = "FieldValueInvalid")
// A baseline takes the step's weight beside the canary (the primary keeps 100 - 2 x weight), and
// exists only to be compared with: see docs/judge.md#a-baseline.
@ValidationRule(value = "!has(self.baseline) || !self.baseline || ((!has(self.stepWeights) || self.stepWeights.all(w, w <= 50))"
        + " && (!has(self.maxWeight) || self.maxWeight <= 50))",
        message = "analysis.baseline takes the canary's weight again at each step: stepWeights and maxWeight must be at most 50",
        reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.baseline) || !self.baseline || (has(self.metrics) && self.metrics.exists(m, has(m.compare)))",
        message = "analysis.baseline is what compare metrics compare the canary with, and no metric has compare:"
                + " without one the baseline is only cost", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.baseline) || !self.baseline || !has(self.mirror) || !self.mirror",
        message = "analysis.baseline shares live traffic with the canary; analysis.mirror checks it without any: use one",
        reason = "FieldValueForbidden")
public class AnalysisSpec {

    /** The defaults, for readers of a spec that left a field out (the CRD's @Default says the same). */
    public static final int DEFAULT_THRESHOLD = 3;
    public static final int DEFAULT_MIN_REQUESTS = 20;
    public static final int DEFAULT_INCONCLUSIVE_LIMIT = 10;
    public static final String DEFAULT_INTERVAL = "30s";
    public static final int DEFAULT_ITERATIONS = 10;

    /** Go-style duration as Kubernetes writes them: 500ms, 30s, 1m, 1h30m. */
    public static final String DURATION = "^([0-9]+(ms|s|m|h))+$";

    @Default("30s")
    @Pattern(DURATION)
    @ValidationRule(value = "duration(self) >= duration('1s')", message = "analysis.interval must be at least 1s")
    @JsonPropertyDescription("How often checks run; also how long each step is held. A duration such as 30s or 1m, at least 1s.")
    private String interval = DEFAULT_INTERVAL;

    @Default("3")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Number of Failed checks (a metric out of range, a hook that said no) after which the release is rolled back and, with gitRevert, reverted in Git. Inconclusive checks do not count.")
    private Integer threshold = DEFAULT_THRESHOLD;

    @Default("20")
    @Min(0)
    @Max(1000000)
    @JsonPropertyDescription("A check that counts fewer requests to the canary's revision in its window (the data plane's telemetry, or requestsTemplateRef's query) is Inconclusive, never Passed. 0 turns the count off.")
    private Integer minRequests = DEFAULT_MIN_REQUESTS;

    @Default("10")
    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Inconclusive checks in a row after which the release is rolled back with reason AnalysisInconclusive and Git is not reverted. Checks back off while inconclusive (doubling from every 5s up to the interval), so at the defaults an outage must last over 4 minutes.")
    private Integer inconclusiveLimit = DEFAULT_INCONCLUSIVE_LIMIT;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Canary: percent of traffic added to the canary at each step. Defaults to 10 when stepWeights is not set.")
    private Integer stepWeight;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Canary: the canary's weight at the last step before promotion. Defaults to 50.")
    private Integer maxWeight;

    @Size(min = 1, max = 20)
    @ValidationRule(value = "self.all(w, w >= 1 && w <= 100)", message = "stepWeights must be percentages between 1 and 100")
    @ValidationRule(value = "self.isSorted()", message = "stepWeights must be in ascending order")
    @JsonPropertyDescription("Canary: the canary's weight at each step, ascending, as an alternative to stepWeight/maxWeight.")
    private List<Integer> stepWeights;

    @Size(min = 1, max = 20)
    @ValidationRule(value = "self.all(n, n >= 1)", message = "stepReplicas must be pod counts of at least 1")
    @ValidationRule(value = "self.isSorted()", message = "stepReplicas must be in ascending order")
    @JsonPropertyDescription("Canary of a StatefulSet: how many of its pods (the highest ordinals) run the new revision at each step, ascending, as an alternative to stepWeights or stepWeight/maxWeight. A count at or above the StatefulSet's replicas moves every pod.")
    private List<Integer> stepReplicas;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("BlueGreen and ABTest: the number of passing checks required before promotion. Defaults to 10.")
    private Integer iterations;

    @Size(min = 1, max = 16)
    @JsonPropertyDescription("ABTest: requests matching any of these go to the new version (Istio HTTPMatchRequest subset).")
    private List<RouteMatch> match;

    @JsonPropertyDescription("BlueGreen: mirror live traffic to the new version while it is checked; its responses are discarded.")
    private Boolean mirror;

    @JsonPropertyDescription("Canary: a user the weights sent to the canary stays on it for the rest of the release, by a cookie Ramp sets on the canary's responses. HTTP only.")
    private SessionAffinity sessionAffinity;

    @JsonPropertyDescription("The MetricTemplate whose query counts the canary's requests in {{ interval }}, for the minimum sample (minRequests) instead of the data plane's telemetry: required for the sample where Ramp has none (service.provider None, a Gateway API implementation without built-in metrics), e.g. from the app's own metrics.")
    private ObjectRef requestsTemplateRef;

    @Size(max = 32)
    @JsonPropertyDescription("Checks run every interval; each compares one metric with its thresholdRange, or (compare) with a baseline. Without any, a release is judged on the minimum sample alone (minRequests): a canary that served fewer requests is never promoted.")
    private List<MetricCheck> metrics;

    @JsonPropertyDescription("Canary: run a baseline beside the canary, the Deployment <target>-baseline of the promoted revision with the canary's size and its share of the traffic (the primary keeps 100 - 2 x the step's weight), removed when the release ends; compare metrics then compare the canary with it rather than with the primary, both sides equally new, warm and loaded. Costs the canary's size in pods again. Default false. Needs a compare metric, a router (not service.provider None) and step weights of at most 50.")
    private Boolean baseline;

    @JsonPropertyDescription("How the statistical judge scores the compare metrics: confidence, minimum points, pass and marginal scores. Only with a compare metric.")
    private JudgeSpec judge;

    @JsonPropertyDescription("Promote without checking the canary: no metric checks and no minimum sample. Steps still advance every interval, and webhooks still gate. Without it, a release is never promoted on no evidence.")
    private Boolean skipAnalysis;

    @Size(max = 32)
    @JsonPropertyDescription("HTTP hooks called at points of the release: gates, load tests, notifications.")
    private List<WebhookSpec> webhooks;

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public Integer getThreshold() {
        return threshold;
    }

    public void setThreshold(Integer threshold) {
        this.threshold = threshold;
    }

    public Integer getMinRequests() {
        return minRequests;
    }

    public void setMinRequests(Integer minRequests) {
        this.minRequests = minRequests;
    }

    public Integer getInconclusiveLimit() {
        return inconclusiveLimit;
    }

    public void setInconclusiveLimit(Integer inconclusiveLimit) {
        this.inconclusiveLimit = inconclusiveLimit;
    }

    public Integer getStepWeight() {
        return stepWeight;
    }

    public void setStepWeight(Integer stepWeight) {
        this.stepWeight = stepWeight;
    }

    public Integer getMaxWeight() {
        return maxWeight;
    }

    public void setMaxWeight(Integer maxWeight) {
        this.maxWeight = maxWeight;
    }

    public List<Integer> getStepWeights() {
        return stepWeights;
    }

    public void setStepWeights(List<Integer> stepWeights) {
        this.stepWeights = stepWeights;
    }

    public List<Integer> getStepReplicas() {
        return stepReplicas;
    }

    public void setStepReplicas(List<Integer> stepReplicas) {
        this.stepReplicas = stepReplicas;
    }

    public Integer getIterations() {
        return iterations;
    }

    public void setIterations(Integer iterations) {
        this.iterations = iterations;
    }

    public SessionAffinity getSessionAffinity() {
        return sessionAffinity;
    }

    public void setSessionAffinity(SessionAffinity sessionAffinity) {
        this.sessionAffinity = sessionAffinity;
    }

    public List<RouteMatch> getMatch() {
        return match;
    }

    public void setMatch(List<RouteMatch> match) {
        this.match = match;
    }

    public Boolean getMirror() {
        return mirror;
    }

    public void setMirror(Boolean mirror) {
        this.mirror = mirror;
    }

    public ObjectRef getRequestsTemplateRef() {
        return requestsTemplateRef;
    }

    public void setRequestsTemplateRef(ObjectRef requestsTemplateRef) {
        this.requestsTemplateRef = requestsTemplateRef;
    }

    public List<MetricCheck> getMetrics() {
        return metrics;
    }

    public void setMetrics(List<MetricCheck> metrics) {
        this.metrics = metrics;
    }

    public JudgeSpec getJudge() {
        return judge;
    }

    public void setJudge(JudgeSpec judge) {
        this.judge = judge;
    }

    public Boolean getBaseline() {
        return baseline;
    }

    public void setBaseline(Boolean baseline) {
        this.baseline = baseline;
    }

    /** Whether {@code analysis} (null when the Rollout has none) asks for a baseline beside the canary. */
    public static boolean runsBaseline(AnalysisSpec analysis) {
        return analysis != null && Boolean.TRUE.equals(analysis.baseline);
    }

    public Boolean getSkipAnalysis() {
        return skipAnalysis;
    }

    public void setSkipAnalysis(Boolean skipAnalysis) {
        this.skipAnalysis = skipAnalysis;
    }

    /** Whether {@code analysis} (null when the Rollout has none) says to promote without checking the canary. */
    /** {@code analysis.interval} as the operator reads it: the default when the spec or the field is absent. */
    public static String effectiveInterval(AnalysisSpec analysis) {
        return analysis == null || analysis.interval == null ? DEFAULT_INTERVAL : analysis.interval;
    }

    /** {@code analysis.threshold}, or its default. */
    public static int effectiveThreshold(AnalysisSpec analysis) {
        return analysis == null || analysis.threshold == null ? DEFAULT_THRESHOLD : analysis.threshold;
    }

    /** {@code analysis.minRequests}, or its default. */
    public static int effectiveMinRequests(AnalysisSpec analysis) {
        return analysis == null || analysis.minRequests == null ? DEFAULT_MIN_REQUESTS : analysis.minRequests;
    }

    /** {@code analysis.inconclusiveLimit}, or its default. */
    public static int effectiveInconclusiveLimit(AnalysisSpec analysis) {
        return analysis == null || analysis.inconclusiveLimit == null ? DEFAULT_INCONCLUSIVE_LIMIT : analysis.inconclusiveLimit;
    }

    /** {@code analysis.iterations} (BlueGreen, ABTest: passing checks before promotion), or its default. */
    public static int effectiveIterations(AnalysisSpec analysis) {
        return analysis == null || analysis.iterations == null ? DEFAULT_ITERATIONS : analysis.iterations;
    }

    public static boolean skips(AnalysisSpec analysis) {
        return analysis != null && Boolean.TRUE.equals(analysis.skipAnalysis);
    }

    public List<WebhookSpec> getWebhooks() {
        return webhooks;
    }

    public void setWebhooks(List<WebhookSpec> webhooks) {
        this.webhooks = webhooks;
    }
}
