package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Set;

/**
 * Why the last release was rolled back, as data: the reason, and for a metric out of range the
 * metric, its value and the bound it broke. The Git revert reads it; nothing parses conditions.
 */
public class RollbackCause {

    /** The reason of a rollback after threshold failed metric checks: Git is reverted. */
    public static final String ANALYSIS_FAILED = "AnalysisFailed";

    /** A pre-rollout or rollout webhook said no (4xx, 500) threshold times: Git is reverted, with Ramp's own words. */
    public static final String HOOK_FAILED = "HookFailed";

    /** A rollback webhook answered 2xx: Git is reverted, with Ramp's own words. */
    public static final String ROLLBACK_REQUESTED = "RollbackRequested";

    /** A person aborted the release (ramp abort, or the annotation): Git is reverted, with Ramp's own words. */
    public static final String ABORTED = "Aborted";

    /** The reason of a rollback after too many inconclusive checks: Git is not reverted. */
    public static final String ANALYSIS_INCONCLUSIVE = "AnalysisInconclusive";

    /** The canary was not ready by the progress deadline and its Pods showed the commit at fault (a crash, a failing readiness probe) or nothing: Git is reverted. */
    public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

    /** The canary was not ready by the deadline because the cluster could not place its Pods (Unschedulable, a quota): Git is not reverted. */
    public static final String CANARY_NOT_SCHEDULED = "CanaryNotScheduled";

    /** The canary was not ready by the deadline because its image could not be pulled (ErrImagePull, ImagePullBackOff): Git is not reverted. */
    public static final String IMAGE_NOT_PULLED = "ImageNotPulled";

    /**
     * The baseline (analysis.baseline: the promoted revision beside the canary) was not ready by the
     * deadline: the cluster could not run a second copy of what already runs, no evidence against
     * the commit, so Git is not reverted.
     */
    public static final String BASELINE_NOT_READY = "BaselineNotReady";

    /**
     * The reasons whose message Ramp wrote itself (never a hook's or provider's answer), so a
     * revert commit may quote it.
     */
    public static final Set<String> OWN_MESSAGES = Set.of(HOOK_FAILED, ROLLBACK_REQUESTED, ABORTED);

    /** The reasons no evidence against the commit: a rollback for one of them leaves Git as it is. */
    private static final Set<String> NOT_REVERTED = Set.of(ANALYSIS_INCONCLUSIVE, CANARY_NOT_SCHEDULED, IMAGE_NOT_PULLED,
            BASELINE_NOT_READY);

    @JsonPropertyDescription("AnalysisFailed, AnalysisInconclusive, HookFailed, ProgressDeadlineExceeded, CanaryNotScheduled, ImageNotPulled, BaselineNotReady, RollbackRequested or Aborted.")
    private String reason;

    @JsonPropertyDescription("What happened, in words.")
    private String message;

    @JsonPropertyDescription("The metric that failed the release, when a metric did.")
    private String metric;

    @JsonPropertyDescription("That metric's value at the failed check.")
    private Double value;

    @JsonPropertyDescription("Its lowest passing value, when it has one.")
    private Double min;

    @JsonPropertyDescription("Its highest passing value, when it has one.")
    private Double max;

    @JsonPropertyDescription("When the statistical judge failed the release: the compare metrics classed High or Low, each with its comparison with the baseline or the primary.")
    private List<MetricStatus> comparisons;

    public RollbackCause() {
    }

    public RollbackCause(String reason, String message) {
        this.reason = reason;
        this.message = message;
    }

    /** The same cause, naming the metric whose value broke its bound. */
    public RollbackCause withMetric(MetricStatus failed) {
        RollbackCause cause = new RollbackCause(reason, message);
        cause.metric = failed.getName();
        cause.value = failed.getValue();
        cause.min = failed.getMin();
        cause.max = failed.getMax();
        return cause;
    }

    /** The same cause, naming the compared metrics that failed it (none: as it is). */
    public RollbackCause withComparisons(List<MetricStatus> failed) {
        if (failed.isEmpty()) {
            return this;
        }
        RollbackCause cause = new RollbackCause(reason, message);
        cause.metric = metric;
        cause.value = value;
        cause.min = min;
        cause.max = max;
        cause.comparisons = List.copyOf(failed);
        return cause;
    }

    public List<MetricStatus> getComparisons() {
        return comparisons;
    }

    public void setComparisons(List<MetricStatus> comparisons) {
        this.comparisons = comparisons;
    }

    /**
     * Whether the failed commit is reverted in Git (with {@code gitRevert.enabled}): yes when the
     * canary was judged bad, no when the analysis never reached a verdict or the cluster never ran
     * the canary (not scheduled, image not pulled), since nothing showed that the commit is at fault.
     */
    @JsonIgnore
    public boolean revertsGit() {
        return !NOT_REVERTED.contains(reason);
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getMetric() {
        return metric;
    }

    public void setMetric(String metric) {
        this.metric = metric;
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
}
