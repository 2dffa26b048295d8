package dev.ramp.rollout;

import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Verdict;
import java.time.Duration;

/**
 * What one check's verdict does to a release, decided from the settings and the counters in
 * status alone (no I/O), so every edge is a unit test. Passed clears the inconclusive streak.
 * Failed counts toward {@code threshold}. Inconclusive holds the step, never counts toward
 * {@code threshold}, and backs the next check off; {@code inconclusiveLimit} of them in a row
 * end the release without a Git revert.
 */
public final class CheckVerdicts {

    /** Where the release goes after a check. */
    public enum Outcome {
        /** The check passed: the step may advance once it has been held for the interval. */
        PASSED,
        /** Stay at this step and check again after {@link Decision#nextCheck()}. */
        HOLD,
        /** Failed checks reached the threshold: roll back, and revert in Git. */
        FAILED,
        /** Inconclusive checks reached their limit: roll back, and leave Git alone. */
        INCONCLUSIVE
    }

    /** The outcome and when the next check is due. */
    public record Decision(Outcome outcome, Duration nextCheck) {
    }

    private CheckVerdicts() {
    }

    /** Records the verdict in {@code status} (failedChecks, inconclusiveChecks) and decides what follows. */
    public static Decision record(AnalysisSettings settings, RolloutStatus status, Verdict verdict) {
        switch (verdict) {
            case Passed -> {
                status.setInconclusiveChecks(0);
                return new Decision(Outcome.PASSED, settings.checkEvery());
            }
            case Failed -> {
                status.setInconclusiveChecks(0);
                int failed = value(status.getFailedChecks()) + 1;
                status.setFailedChecks(failed);
                return new Decision(failed >= settings.threshold() ? Outcome.FAILED : Outcome.HOLD, settings.checkEvery());
            }
            default -> {
                int inconclusive = value(status.getInconclusiveChecks()) + 1;
                status.setInconclusiveChecks(inconclusive);
                return new Decision(inconclusive >= settings.inconclusiveLimit() ? Outcome.INCONCLUSIVE : Outcome.HOLD,
                        settings.nextCheckAfter(inconclusive));
            }
        }
    }

    /** When the next check is due after the last one, given the inconclusive streak in status. */
    public static Duration nextCheck(AnalysisSettings settings, RolloutStatus status) {
        return settings.nextCheckAfter(value(status.getInconclusiveChecks()));
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }
}
