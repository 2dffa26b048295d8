package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything Ramp knows about a Rollout. It is the operator's only memory: a restarted
 * operator continues a release from here.
 */
// A status written by another version of the operator (a field since removed, as status.step was)
// must not make every Rollout unreadable: unknown fields are ignored, and missing ones begin now.
@JsonIgnoreProperties(ignoreUnknown = true)
public class RolloutStatus {

    @JsonPropertyDescription("Where the Rollout is: Initializing, Initialized, Progressing, WaitingPromotion, Promoting, Finalising, Succeeded or Failed.")
    private Phase phase;

    @JsonPropertyDescription("Percent of traffic the canary receives now.")
    private Integer canaryWeight;

    @JsonPropertyDescription("When the current phase began (RFC 3339).")
    private String phaseSince;

    @JsonPropertyDescription("The step the release holds and its clock: when it began, when it was last checked, when its rollout webhooks passed. Absent outside a release.")
    private StepStatus currentStep;


    @JsonPropertyDescription("When the canary was first seen not ready in the current stretch (RFC 3339); progressDeadlineSeconds runs from here.")
    private String canaryNotReadySince;


    @JsonPropertyDescription("Failed checks in the current release (metrics out of range, hooks that said no); the release is rolled back at analysis.threshold.")
    private Integer failedChecks;

    @JsonPropertyDescription("Inconclusive checks in a row (no data, too few requests, provider or hook unreachable); they hold the step, and the release is rolled back without a Git revert at analysis.inconclusiveLimit.")
    private Integer inconclusiveChecks;

    @JsonPropertyDescription("The canary's request counters at the last failed check that counted, while checks keep failing (cleared by a passed check and a new release): a failed check counts toward analysis.threshold only with evidence newer than this, and checks are paced by new evidence meanwhile.")
    private CanaryEvidence failingEvidence;

    @JsonPropertyDescription("Passed checks in the current release (BlueGreen, ABTest) or at the current step (Canary).")
    private Integer iterations;

    @JsonPropertyDescription("Hash of the target's pod template that runs, or last ran, as the canary.")
    private String lastAppliedRevision;

    @JsonPropertyDescription("Hash of the pod template the primary runs.")
    private String lastPromotedRevision;

    @JsonPropertyDescription("Git commit of the promoted version, when a GitSource synced the target.")
    private String lastPromotedCommit;

    @JsonPropertyDescription("Git commit of the revision being released (lastAppliedRevision), when a GitSource synced the target.")
    private String lastAppliedCommit;

    @JsonPropertyDescription("The start time (releaseStartTime) of the last release whose end, promotion or rollback, the post-rollout webhooks were told of.")
    private String postRolloutNotified;

    @JsonPropertyDescription("Why the last release was rolled back: reason, message and, for a metric, its value and bounds.")
    private RollbackCause rollbackCause;

    @JsonPropertyDescription("The Git side of the last failed release: whether its revert is pending, pushed (with the commit), refused by Git, or not called for; the GitReverted condition tells the same.")
    private GitRevertStatus gitRevert;


    @JsonPropertyDescription("The last manual action (annotation ramp.dev/action, verb/id) Ramp carried out; an action is done once.")
    private String lastAction;


    @JsonPropertyDescription("When the current release began (RFC 3339).")
    private String releaseStartTime;


    @JsonPropertyDescription("The generation of the spec this status reflects.")
    private Long observedGeneration;

    @JsonPropertyDescription("The last value of each metric check and whether it passed.")
    private List<MetricStatus> metrics = new ArrayList<>();

    @JsonPropertyDescription("Ready, Promoted, Analysis and GitReverted conditions.")
    private List<Condition> conditions = new ArrayList<>();

    public Phase getPhase() {
        return phase;
    }

    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    public String getPhaseSince() {
        return phaseSince;
    }

    public void setPhaseSince(String phaseSince) {
        this.phaseSince = phaseSince;
    }

    public StepStatus getCurrentStep() {
        return currentStep;
    }

    public void setCurrentStep(StepStatus currentStep) {
        this.currentStep = currentStep;
    }

    public GitRevertStatus getGitRevert() {
        return gitRevert;
    }

    public void setGitRevert(GitRevertStatus gitRevert) {
        this.gitRevert = gitRevert;
    }

    public Integer getCanaryWeight() {
        return canaryWeight;
    }

    public void setCanaryWeight(Integer canaryWeight) {
        this.canaryWeight = canaryWeight;
    }



    public String getCanaryNotReadySince() {
        return canaryNotReadySince;
    }

    public void setCanaryNotReadySince(String canaryNotReadySince) {
        this.canaryNotReadySince = canaryNotReadySince;
    }



    public Integer getFailedChecks() {
        return failedChecks;
    }

    public void setFailedChecks(Integer failedChecks) {
        this.failedChecks = failedChecks;
    }

    public Integer getInconclusiveChecks() {
        return inconclusiveChecks;
    }

    public void setInconclusiveChecks(Integer inconclusiveChecks) {
        this.inconclusiveChecks = inconclusiveChecks;
    }

    public CanaryEvidence getFailingEvidence() {
        return failingEvidence;
    }

    public void setFailingEvidence(CanaryEvidence failingEvidence) {
        this.failingEvidence = failingEvidence;
    }

    public String getLastAppliedCommit() {
        return lastAppliedCommit;
    }

    public void setLastAppliedCommit(String lastAppliedCommit) {
        this.lastAppliedCommit = lastAppliedCommit;
    }

    public String getPostRolloutNotified() {
        return postRolloutNotified;
    }

    public void setPostRolloutNotified(String postRolloutNotified) {
        this.postRolloutNotified = postRolloutNotified;
    }

    public RollbackCause getRollbackCause() {
        return rollbackCause;
    }

    public void setRollbackCause(RollbackCause rollbackCause) {
        this.rollbackCause = rollbackCause;
    }

    public Integer getIterations() {
        return iterations;
    }

    public void setIterations(Integer iterations) {
        this.iterations = iterations;
    }

    public String getLastAppliedRevision() {
        return lastAppliedRevision;
    }

    public void setLastAppliedRevision(String lastAppliedRevision) {
        this.lastAppliedRevision = lastAppliedRevision;
    }

    public String getLastPromotedRevision() {
        return lastPromotedRevision;
    }

    public void setLastPromotedRevision(String lastPromotedRevision) {
        this.lastPromotedRevision = lastPromotedRevision;
    }

    public String getLastPromotedCommit() {
        return lastPromotedCommit;
    }

    public void setLastPromotedCommit(String lastPromotedCommit) {
        this.lastPromotedCommit = lastPromotedCommit;
    }





    public String getReleaseStartTime() {
        return releaseStartTime;
    }

    public void setReleaseStartTime(String releaseStartTime) {
        this.releaseStartTime = releaseStartTime;
    }



    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<MetricStatus> getMetrics() {
        return metrics;
    }

    public void setMetrics(List<MetricStatus> metrics) {
        this.metrics = metrics;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public String getLastAction() {
        return lastAction;
    }

    public void setLastAction(String lastAction) {
        this.lastAction = lastAction;
    }
}
