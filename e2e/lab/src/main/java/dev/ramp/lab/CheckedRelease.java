package dev.ramp.lab;

import dev.ramp.api.CanaryEvidence;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.api.Verdict;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.CheckVerdicts;
import dev.ramp.rollout.StepClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One release's checks as the operator paces and counts them, for the judge's benchmark
 * ({@link JudgeBenchmark}), which runs the checks but not the operator: the operator's own
 * {@link StepClock} says when the next check is due and whether a step has been held for the
 * interval, and its {@link CheckVerdicts} what each verdict does (Failed counts toward
 * {@code threshold} only on new evidence, Inconclusive toward {@code inconclusiveLimit}, a round
 * whose window is still filling toward nothing). A passed check on a step held for the interval
 * moves to the next step, as the Progressing phase does; passing the last promotes. Times come
 * from the caller, so every edge is a unit test with fixed instants.
 */
final class CheckedRelease {

    /** How a release ended. */
    enum Outcome {
        /** {@code threshold} failed checks: rolled back, and reverted in Git. */
        ROLLED_BACK,
        /** {@code inconclusiveLimit} inconclusive checks in a row: rolled back, Git left alone. */
        ENDED_INCONCLUSIVE,
        /** Every step passed. */
        PROMOTED
    }

    /** The outcome, how long after the release's start the deciding check ran, and the checks it took. */
    record Decided(Outcome outcome, Duration after, int checks) {
    }

    private final AnalysisSettings settings;
    private final int steps;
    private final Instant start;
    private final RolloutStatus status = new RolloutStatus();
    private int checks;
    private Decided decided;

    /** A release of {@code steps} steps (the Rollout's stepWeights) whose first step began at {@code start}. */
    CheckedRelease(AnalysisSettings settings, int steps, Instant start) {
        this.settings = settings;
        this.steps = steps;
        this.start = start;
        status.setReleaseStartTime(Timestamps.format(start));
        status.setFailedChecks(0);
        status.setInconclusiveChecks(0);
        status.setCurrentStep(new StepStatus(0, Timestamps.format(start)));
    }

    /** When the next check is due: the operator's pace from the last check, or from the step's start. */
    Instant nextCheck() {
        StepStatus step = status.getCurrentStep();
        Instant from = Timestamps.parse(step.getLastCheckAt()).or(() -> Timestamps.parse(step.getStartedAt())).orElse(start);
        return new StepClock(settings, status, from).untilNextCheck().map(from::plus).orElse(from);
    }

    /**
     * Records a check that ran {@code at}: its verdict, whether it was Inconclusive only because
     * the judge's window was still filling, and the canary's counters a failure was judged on
     * (null when unknown) and whether it failed on errors. Empty while the release goes on.
     */
    Optional<Decided> record(Instant at, Verdict verdict, boolean filling, CanaryEvidence evidence, boolean onErrors) {
        if (decided != null) {
            throw new IllegalStateException("the release has ended: " + decided);
        }
        checks++;
        status.getCurrentStep().setLastCheckAt(Timestamps.format(at));
        if (verdict == Verdict.Passed) {
            CheckVerdicts.record(settings, status, verdict);
            if (new StepClock(settings, status, at).holdLeft().isEmpty()) {
                int next = status.getCurrentStep().getIndex() + 1;
                if (next >= steps) {
                    return decide(Outcome.PROMOTED, at);
                }
                status.setCurrentStep(new StepStatus(next, Timestamps.format(at)));
            }
            return Optional.empty();
        }
        CheckVerdicts.Decision decision = verdict == Verdict.Inconclusive && filling ? CheckVerdicts.filling(settings)
                : CheckVerdicts.record(settings, status, verdict, evidence, onErrors);
        return switch (decision.outcome()) {
            case FAILED -> decide(Outcome.ROLLED_BACK, at);
            case INCONCLUSIVE -> decide(Outcome.ENDED_INCONCLUSIVE, at);
            default -> Optional.empty();
        };
    }

    /** The failed checks counted toward {@code threshold} so far. */
    int failedChecks() {
        return status.getFailedChecks();
    }

    private Optional<Decided> decide(Outcome outcome, Instant at) {
        decided = new Decided(outcome, Duration.between(start, at), checks);
        return Optional.of(decided);
    }
}
