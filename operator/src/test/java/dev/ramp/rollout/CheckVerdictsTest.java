package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.CanaryEvidence;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Verdict;
import dev.ramp.rollout.CheckVerdicts.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What each verdict does to a release's counters, its next check and its fate: one test per edge. */
class CheckVerdictsTest {

    private static final AnalysisSettings DEFAULTS = new AnalysisSettings(Duration.ofSeconds(30), 3, 10, Duration.ofMinutes(10));

    private final RolloutStatus status = new RolloutStatus();

    @Test
    void failedChecksRollBackAtTheThreshold() {
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed).outcome()).isEqualTo(Outcome.HOLD);
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed).outcome()).isEqualTo(Outcome.HOLD);
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(status.getFailedChecks()).isEqualTo(3);
    }

    @Test
    void thresholdOneRollsBackOnTheFirstFailedCheckButNotOnMissingData() {
        AnalysisSettings one = new AnalysisSettings(Duration.ofSeconds(1), 1, 10, Duration.ofMinutes(10));

        for (int i = 0; i < 9; i++) {
            assertThat(CheckVerdicts.record(one, status, Verdict.Inconclusive).outcome()).isEqualTo(Outcome.HOLD);
        }
        assertThat(CheckVerdicts.record(one, status, Verdict.Passed).outcome()).isEqualTo(Outcome.PASSED);
        assertThat(CheckVerdicts.record(one, status, Verdict.Failed).outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void inconclusiveChecksNeverCountTowardTheThreshold() {
        for (int i = 0; i < 9; i++) {
            CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive);
        }
        assertThat(status.getFailedChecks()).isNull();
        assertThat(status.getInconclusiveChecks()).isEqualTo(9);
    }

    @Test
    void inconclusiveChecksInARowRollBackAtTheirLimit() {
        CheckVerdicts.Decision last = null;
        for (int i = 0; i < 10; i++) {
            last = CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive);
        }
        assertThat(last.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    }

    @Test
    void aConclusiveCheckEndsTheInconclusiveStreak() {
        for (int i = 0; i < 9; i++) {
            CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive);
        }
        CheckVerdicts.record(DEFAULTS, status, Verdict.Passed);
        for (int i = 0; i < 9; i++) {
            assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive).outcome()).isEqualTo(Outcome.HOLD);
        }
        CheckVerdicts.record(DEFAULTS, status, Verdict.Failed);
        assertThat(status.getInconclusiveChecks()).isZero();
    }

    @Test
    void inconclusiveChecksBackOffFromEveryFiveSecondsToTheInterval() {
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive).nextCheck()).isEqualTo(Duration.ofSeconds(5));
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive).nextCheck()).isEqualTo(Duration.ofSeconds(10));
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive).nextCheck()).isEqualTo(Duration.ofSeconds(20));
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive).nextCheck()).isEqualTo(Duration.ofSeconds(30));
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive).nextCheck()).isEqualTo(Duration.ofSeconds(30));
        assertThat(CheckVerdicts.nextCheck(DEFAULTS, status)).isEqualTo(Duration.ofSeconds(30));
        CheckVerdicts.record(DEFAULTS, status, Verdict.Passed);
        assertThat(CheckVerdicts.nextCheck(DEFAULTS, status)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void atTheDefaultsAPrometheusOutageUnderAMinuteNeverEndsARelease() {
        // The limit is reached only after the backed-off checks have spanned well over 60 seconds.
        Duration waited = Duration.ZERO;
        CheckVerdicts.Decision decision = CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive);
        while (decision.outcome() == Outcome.HOLD) {
            waited = waited.plus(decision.nextCheck());
            decision = CheckVerdicts.record(DEFAULTS, status, Verdict.Inconclusive);
        }
        assertThat(waited).isGreaterThan(Duration.ofSeconds(60));
    }

    @Test
    void whileChecksFailEachCountsOnlyOnNewEvidenceAndTheNextIsDueAsSoonAsItMayBeThere() {
        CheckVerdicts.Decision first = CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(100.0, 5.0), true);
        assertThat(first).isEqualTo(new CheckVerdicts.Decision(Outcome.HOLD, Duration.ofMillis(500)));
        assertThat(CheckVerdicts.nextCheck(DEFAULTS, status)).isEqualTo(Duration.ofMillis(500));

        // Prometheus has no newer sample: the same counters, not counted.
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(100.0, 5.0), true))
                .isEqualTo(new CheckVerdicts.Decision(Outcome.REPEATED, Duration.ofMillis(500)));
        assertThat(status.getFailedChecks()).isEqualTo(1);

        // New samples with more failed requests: counted.
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(110.0, 8.0), true).outcome())
                .isEqualTo(Outcome.HOLD);
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(120.0, 11.0), true).outcome())
                .isEqualTo(Outcome.FAILED);
        assertThat(status.getFailedChecks()).isEqualTo(3);
    }

    @Test
    void oneBurstOfErrorsStillInTheWindowIsCountedOnce() {
        CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(100.0, 5.0), true);

        // Later checks still see the burst in their window, on more requests but no more errors.
        for (double requests = 110; requests < 200; requests += 10) {
            assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(requests, 5.0), true).outcome())
                    .isEqualTo(Outcome.REPEATED);
        }
        assertThat(status.getFailedChecks()).isEqualTo(1);
    }

    @Test
    void aFailureNotOnErrorsIsRenewedByMoreRequests() {
        CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(100.0, 0.0), false);

        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(100.0, 0.0), false).outcome())
                .isEqualTo(Outcome.REPEATED);
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(104.0, 0.0), false).outcome())
                .isEqualTo(Outcome.HOLD);
        assertThat(status.getFailedChecks()).isEqualTo(2);
    }

    @Test
    void aPassedCheckEndsTheFailingPaceAndWithoutCountersEveryFailureCountsAtTheUsualPace() {
        CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, new CanaryEvidence(100.0, 5.0), true);
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Passed).nextCheck()).isEqualTo(Duration.ofSeconds(5));
        assertThat(status.getFailingEvidence()).isNull();
        assertThat(CheckVerdicts.nextCheck(DEFAULTS, status)).isEqualTo(Duration.ofSeconds(5));

        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, null, true))
                .isEqualTo(new CheckVerdicts.Decision(Outcome.HOLD, Duration.ofSeconds(5)));
        assertThat(CheckVerdicts.record(DEFAULTS, status, Verdict.Failed, null, true).outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void theFailingPaceIsNeverSlowerThanTheUsualOne() {
        AnalysisSettings fast = new AnalysisSettings(Duration.ofMillis(200), 3, 10, Duration.ofMinutes(10));

        assertThat(CheckVerdicts.record(fast, status, Verdict.Failed, new CanaryEvidence(10.0, 5.0), true).nextCheck())
                .isEqualTo(Duration.ofMillis(200));
    }
}
