package dev.ramp.cli;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Strategy;
import dev.ramp.api.StepPlan;
import dev.ramp.api.StepStatus;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a user reads off one Rollout: its phase, where the release stands, its metrics. Absent
 * status fields read as the operator's defaults (no weight, no failed checks), so a Rollout
 * that Ramp has not touched yet still displays.
 */
public record ReleaseView(Rollout rollout) {

    /** Phases in which a release runs, so promote and abort apply. */
    public static final Set<Phase> RUNNING = EnumSet.of(Phase.Progressing, Phase.WaitingPromotion, Phase.Promoting);
    /** Phases in which no release runs. */
    public static final Set<Phase> IDLE = EnumSet.of(Phase.Initialized, Phase.Succeeded, Phase.Failed);

    public String name() {
        return rollout.getMetadata().getName();
    }

    public String namespace() {
        return rollout.getMetadata().getNamespace();
    }

    public Phase phase() {
        return status().getPhase();
    }

    public String phaseName() {
        return phase() == null ? "<none>" : phase().name();
    }

    public boolean paused() {
        return rollout.getSpec() != null && rollout.getSpec().isPaused();
    }

    public Strategy strategy() {
        return RolloutSpec.effectiveStrategy(rollout.getSpec());
    }

    public int weight() {
        return orZero(status().getCanaryWeight());
    }

    public int failedChecks() {
        return orZero(status().getFailedChecks());
    }

    public int inconclusiveChecks() {
        return orZero(status().getInconclusiveChecks());
    }

    public int inconclusiveLimit() {
        return AnalysisSpec.effectiveInconclusiveLimit(analysis());
    }

    public int threshold() {
        return AnalysisSpec.effectiveThreshold(analysis());
    }

    /** The Canary's step weights, e.g. [10, 20, 30, 40, 50]. */
    public List<Integer> stepWeights() {
        return StepPlan.weights(analysis());
    }

    /** A StatefulSet canary's pods on the new revision at each step, when its steps are counted in pods (stepReplicas). */
    public Optional<List<Integer>> stepPods() {
        return StepPlan.pods(analysis());
    }

    /** The step the release is at, from 1, or 0 when none. */
    public int step() {
        Integer index = status().getCurrentStep() == null ? null : status().getCurrentStep().getIndex();
        return index == null || !RUNNING.contains(phase()) ? 0 : index + 1;
    }

    /** When the release reached the step it holds (RFC 3339), or null outside a step. */
    public String stepSince() {
        StepStatus step = status().getCurrentStep();
        return step == null || step.getIndex() == null ? null : step.getStartedAt();
    }

    /** The Git commit Ramp pushed to revert the last failed release, or null when none was. */
    public String revertCommit() {
        return status().getGitRevert() == null ? null : status().getGitRevert().getCommit();
    }

    public int iterations() {
        return orZero(status().getIterations());
    }

    /** BlueGreen and ABTest: passing checks needed before promotion. */
    public int requiredIterations() {
        return AnalysisSpec.effectiveIterations(analysis());
    }

    /** "step 2/5" for a Canary, "check 3/10" for the others, "" outside a release. */
    public String progress() {
        if (!RUNNING.contains(phase())) {
            return "";
        }
        return strategy() == Strategy.Canary ? "step " + step() + "/" + StepPlan.count(analysis())
                : "check " + iterations() + "/" + requiredIterations();
    }

    public List<MetricStatus> metrics() {
        return status().getMetrics() == null ? List.of() : status().getMetrics();
    }

    public RolloutStatus status() {
        return rollout.getStatus() == null ? new RolloutStatus() : rollout.getStatus();
    }

    private AnalysisSpec analysis() {
        return rollout.getSpec() == null ? null : rollout.getSpec().getAnalysis();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
