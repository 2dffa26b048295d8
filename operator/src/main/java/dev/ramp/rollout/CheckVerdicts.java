package dev.ramp.rollout;

import dev.ramp.api.CanaryEvidence;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Verdict;
import java.time.Duration;

/**
 * What one check's verdict does to a release, decided from the settings and the counters in
 * status alone (no I/O), so every edge is a unit test. Passed clears the inconclusive streak and
 * the failing evidence. Failed counts toward {@code threshold}, but only on evidence the last
 * counted failure did not have ({@link CanaryEvidence}: more failed requests, or more requests):
 * a failed check on the same counters (Prometheus has no newer sample, or one burst of errors
 * still in view of the window) holds the step without counting. While checks fail, the next is
 * due as soon as new evidence may be there ({@link AnalysisSettings#evidencePoll()}), not after
 * {@code checkEvery}. Inconclusive holds the step, never counts toward {@code threshold}, and
 * backs the next check off; {@code inconclusiveLimit} of them in a row end the release without a
 * Git revert.
 */
public final class CheckVerdicts {

    /** Where the release goes after a check. */
    public enum Outcome {
        /** The check passed: the step may advance once it has been held for the interval. */
        PASSED,
        /** Stay at this step and check again after {@link Decision#nextCheck()}. */
        HOLD,
        /** A failed check on evidence already counted: not counted; stay and look again for new evidence. */
        REPEATED,
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

    /** Records a verdict given without the canary's counters (a hook's, a skipped analysis's): every failure counts. */
    public static Decision record(AnalysisSettings settings, RolloutStatus status, Verdict verdict) {
        return record(settings, status, verdict, null, false);
    }

    /**
     * Records the verdict in {@code status} (failedChecks, inconclusiveChecks, failingEvidence) and
     * decides what follows. {@code evidence} is the canary's counters the check was judged on (null
     * when unknown: then every failure counts and checks keep their pace); {@code onErrors} whether
     * it failed on errors, so that only more errors are new evidence.
     */
    public static Decision record(AnalysisSettings settings, RolloutStatus status, Verdict verdict, CanaryEvidence evidence,
            boolean onErrors) {
        switch (verdict) {
            case Passed -> {
                status.setInconclusiveChecks(0);
                status.setFailingEvidence(null);
                return new Decision(Outcome.PASSED, settings.checkEvery());
            }
            case Failed -> {
                status.setInconclusiveChecks(0);
                if (evidence == null) {
                    return counted(settings, status, settings.checkEvery());
                }
                if (!evidence.isNewerThan(status.getFailingEvidence(), onErrors)) {
                    return new Decision(Outcome.REPEATED, settings.evidencePoll());
                }
                status.setFailingEvidence(evidence);
                return counted(settings, status, settings.evidencePoll());
            }
            default -> {
                int inconclusive = value(status.getInconclusiveChecks()) + 1;
                status.setInconclusiveChecks(inconclusive);
                return new Decision(inconclusive >= settings.inconclusiveLimit() ? Outcome.INCONCLUSIVE : Outcome.HOLD,
                        settings.nextCheckAfter(inconclusive));
            }
        }
    }

    /**
     * A round that cannot have a verdict yet and will (the judge's window still filling after the
     * release began: {@code WindowFilling}): holds the step and counts nothing, neither toward
     * {@code inconclusiveLimit} nor against the streak, so a release judged on comparisons alone
     * is not ended before its first full window.
     */
    public static Decision filling(AnalysisSettings settings) {
        return new Decision(Outcome.HOLD, settings.checkEvery());
    }

    private static Decision counted(AnalysisSettings settings, RolloutStatus status, Duration next) {
        int failed = value(status.getFailedChecks()) + 1;
        status.setFailedChecks(failed);
        return new Decision(failed >= settings.threshold() ? Outcome.FAILED : Outcome.HOLD, next);
    }

    /**
     * When the next check is due after the last one: backed off by the inconclusive streak; while
     * checks fail on known evidence, as soon as new evidence may be there; else every {@code checkEvery}.
     */
    public static Duration nextCheck(AnalysisSettings settings, RolloutStatus status) {
        int inconclusive = value(status.getInconclusiveChecks());
        if (inconclusive == 0 && status.getFailingEvidence() != null) {
            return settings.evidencePoll();
        }
        return settings.nextCheckAfter(inconclusive);
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }
}
