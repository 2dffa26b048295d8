package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** When checks are due, when a step may advance and when a canary's time is up, on a fixed clock. */
class StepClockTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    private static final AnalysisSettings DEFAULTS = new AnalysisSettings(Duration.ofSeconds(30), 3, 10, Duration.ofSeconds(600));

    private final RolloutStatus status = new RolloutStatus();

    private StepClock at(Duration sinceStart) {
        return new StepClock(DEFAULTS, status, CLOCK.instant().plus(sinceStart));
    }

    private static String time(Duration sinceStart) {
        return Timestamps.format(CLOCK.instant().plus(sinceStart));
    }

    @Test
    void theDeadlineRunsFromWhenTheCanaryBecameUnreadyNotFromTheStepsStart() {
        // A 15-minute step: the canary loses a pod 14 minutes in.
        status.setCurrentStep(new StepStatus(0, time(Duration.ZERO)));
        status.setCanaryNotReadySince(time(Duration.ofMinutes(14)));

        assertThat(at(Duration.ofMinutes(15)).untilReadinessDeadline()).contains(Duration.ofSeconds(5));
        assertThat(at(Duration.ofMinutes(24).plusSeconds(1)).untilReadinessDeadline()).isEmpty();
    }

    private void stepBeganAndCheckedAt(Duration began, Duration checked) {
        status.setCurrentStep(new StepStatus(0, time(began)));
        status.getCurrentStep().setLastCheckAt(time(checked));
    }

    @Test
    void theFirstCheckIsDueAtOnce() {
        assertThat(at(Duration.ZERO).untilNextCheck()).isEmpty();
    }

    @Test
    void duringAStepChecksComeEveryFiveSecondsThoughTheStepIsHeldThirty() {
        stepBeganAndCheckedAt(Duration.ZERO, Duration.ZERO);

        assertThat(at(Duration.ofSeconds(2)).untilNextCheck()).contains(Duration.ofSeconds(3));
        assertThat(at(Duration.ofSeconds(5)).untilNextCheck()).isEmpty();
        assertThat(at(Duration.ofSeconds(5)).holdLeft()).contains(Duration.ofSeconds(5));
        assertThat(at(Duration.ofSeconds(28)).holdLeft()).contains(Duration.ofSeconds(2));
        assertThat(at(Duration.ofSeconds(30)).holdLeft()).isEmpty();
    }

    @Test
    void aStepsFirstCheckComesCheckEveryAfterItBeganAndItsHoldRunsFromItsStartNotFromItsChecks() {
        status.setCurrentStep(new StepStatus(1, time(Duration.ofSeconds(100))));

        assertThat(at(Duration.ofSeconds(102)).untilNextCheck()).contains(Duration.ofSeconds(3));
        assertThat(at(Duration.ofSeconds(105)).untilNextCheck()).isEmpty();

        status.getCurrentStep().setLastCheckAt(time(Duration.ofSeconds(125)));
        assertThat(at(Duration.ofSeconds(126)).untilNextCheck()).contains(Duration.ofSeconds(4));
        assertThat(at(Duration.ofSeconds(126)).holdLeft()).contains(Duration.ofSeconds(4));
        assertThat(at(Duration.ofSeconds(130)).holdLeft()).isEmpty();
    }

    @Test
    void aCheckAtAFractionOfASecondIsPacedFromThatFractionNotTheWholeSecond() {
        stepBeganAndCheckedAt(Duration.ZERO, Duration.ofMillis(5_900));

        assertThat(at(Duration.ofMillis(10_000)).untilNextCheck()).contains(Duration.ofMillis(900));
    }

    @Test
    void beforeTrafficTheGatesAreAskedAtOnceThenOncePerInterval() {
        status.setCurrentStep(new StepStatus(null, time(Duration.ZERO)));
        assertThat(at(Duration.ZERO).untilNextCheck()).isEmpty();

        status.getCurrentStep().setLastCheckAt(time(Duration.ZERO));

        assertThat(at(Duration.ofSeconds(10)).untilNextCheck()).contains(Duration.ofSeconds(20));
        assertThat(at(Duration.ofSeconds(30)).untilNextCheck()).isEmpty();
    }

    @Test
    void inconclusiveChecksPushTheNextOneBack() {
        stepBeganAndCheckedAt(Duration.ZERO, Duration.ofSeconds(10));
        status.setInconclusiveChecks(3);

        assertThat(at(Duration.ofSeconds(20)).untilNextCheck()).contains(Duration.ofSeconds(10));
        assertThat(at(Duration.ofSeconds(30)).untilNextCheck()).isEmpty();
    }

    @Test
    void aCanaryNotReadyIsLookedAtEveryFiveSecondsUntilItsDeadline() {
        status.setCanaryNotReadySince(CLOCK.instant().toString());

        assertThat(at(Duration.ofSeconds(10)).untilReadinessDeadline()).contains(Duration.ofSeconds(5));
        assertThat(at(Duration.ofSeconds(598)).untilReadinessDeadline()).contains(Duration.ofSeconds(2));
        assertThat(at(Duration.ofSeconds(600)).untilReadinessDeadline()).contains(Duration.ZERO);
        assertThat(at(Duration.ofSeconds(601)).untilReadinessDeadline()).isEmpty();
    }
}
