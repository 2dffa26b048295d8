package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.CanaryEvidence;
import dev.ramp.api.Verdict;
import dev.ramp.rollout.AnalysisSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A release's outcome from its sequence of check verdicts, at fixed instants, as the judge's
 * benchmark counts it: the operator's pace (a check every interval of 5 s, every 0.5 s while
 * checks fail on new evidence), its step holding, its threshold of 2 and inconclusive limit of 3.
 */
class CheckedReleaseTest {

    private static final Instant START = Instant.parse("2026-12-03T12:00:00Z");
    private static final AnalysisSettings SETTINGS = new AnalysisSettings(Duration.ofSeconds(5), 2, 3, Duration.ofSeconds(60));

    @Test
    void fourPassedChecksPromoteFourStepsAfterFourIntervals() {
        CheckedRelease release = new CheckedRelease(SETTINGS, 4, START);
        for (int s = 5; s < 20; s += 5) {
            assertThat(release.nextCheck()).isEqualTo(START.plusSeconds(s));
            assertThat(release.record(release.nextCheck(), Verdict.Passed, false, null, false)).isEmpty();
        }

        Optional<CheckedRelease.Decided> decided = release.record(release.nextCheck(), Verdict.Passed, false, null, false);

        assertThat(decided).contains(new CheckedRelease.Decided(CheckedRelease.Outcome.PROMOTED, Duration.ofSeconds(20), 4));
    }

    @Test
    void whileTheJudgesWindowFillsTheFirstStepHoldsWithoutCountingSoPromotionComesLater() {
        CheckedRelease release = new CheckedRelease(SETTINGS, 4, START);
        assertThat(release.record(START.plusSeconds(5), Verdict.Inconclusive, true, null, false)).isEmpty();
        assertThat(release.nextCheck()).isEqualTo(START.plusSeconds(10));
        for (int s = 10; s < 25; s += 5) {
            assertThat(release.record(release.nextCheck(), Verdict.Passed, false, null, false)).isEmpty();
        }

        assertThat(release.record(release.nextCheck(), Verdict.Passed, false, null, false)).map(CheckedRelease.Decided::after)
                .contains(Duration.ofSeconds(25));
    }

    @Test
    void twoFailedChecksOnNewEvidenceRollBackHalfASecondApart() {
        CheckedRelease release = new CheckedRelease(SETTINGS, 4, START);
        assertThat(release.record(START.plusSeconds(10), Verdict.Failed, false, new CanaryEvidence(500.0, 0.0), false)).isEmpty();
        assertThat(release.nextCheck()).isEqualTo(START.plusMillis(10_500));

        Optional<CheckedRelease.Decided> decided = release.record(START.plusMillis(10_500), Verdict.Failed, false,
                new CanaryEvidence(525.0, 0.0), false);

        assertThat(decided).contains(new CheckedRelease.Decided(CheckedRelease.Outcome.ROLLED_BACK, Duration.ofMillis(10_500), 2));
    }

    @Test
    void aFailedCheckOnEvidenceAlreadyCountedDoesNotCount() {
        CheckedRelease release = new CheckedRelease(SETTINGS, 4, START);
        CanaryEvidence same = new CanaryEvidence(500.0, 3.0);
        release.record(START.plusSeconds(5), Verdict.Failed, false, same, true);

        assertThat(release.record(START.plusMillis(5_500), Verdict.Failed, false, same, true)).isEmpty();
        assertThat(release.failedChecks()).isEqualTo(1);
    }

    @Test
    void aPassedCheckBetweenFailuresDoesNotResetTheCountAsInTheOperator() {
        CheckedRelease release = new CheckedRelease(SETTINGS, 4, START);
        release.record(START.plusSeconds(5), Verdict.Failed, false, null, false);
        release.record(START.plusSeconds(10), Verdict.Passed, false, null, false);

        assertThat(release.record(START.plusSeconds(15), Verdict.Failed, false, null, false))
                .map(CheckedRelease.Decided::outcome).contains(CheckedRelease.Outcome.ROLLED_BACK);
    }

    @Test
    void inconclusiveChecksUpToTheLimitEndTheReleaseBackingOffBetweenThem() {
        CheckedRelease release = new CheckedRelease(SETTINGS, 4, START);
        assertThat(release.record(START.plusSeconds(5), Verdict.Inconclusive, false, null, false)).isEmpty();
        assertThat(release.record(release.nextCheck(), Verdict.Inconclusive, false, null, false)).isEmpty();

        assertThat(release.record(release.nextCheck(), Verdict.Inconclusive, false, null, false))
                .map(CheckedRelease.Decided::outcome).contains(CheckedRelease.Outcome.ENDED_INCONCLUSIVE);
    }
}
