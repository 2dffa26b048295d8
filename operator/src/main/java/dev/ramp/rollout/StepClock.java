package dev.ramp.rollout;

import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The timing of a release's steps, decided from the settings, the times recorded in status and
 * now, with no I/O: when the next check is due (from the step's {@code lastCheckAt}), whether a
 * step has been held long enough (from its {@code startedAt}), and how long a canary may still
 * take to become ready ({@code canaryNotReadySince}). Unit-tested with a fixed clock.
 */
public record StepClock(AnalysisSettings settings, RolloutStatus status, Instant now) {

    private static final Duration MAX_READINESS_POLL = Duration.ofSeconds(5);

    /**
     * How long until the next check, or empty when it is due now. Before traffic, checks (the
     * confirm-rollout and pre-rollout hooks) come at once, then once per interval; during a step,
     * every {@code checkEvery} from the last check (the first one from the step's start), backed
     * off while checks are inconclusive. A step with no time recorded is checked now.
     */
    public Optional<Duration> untilNextCheck() {
        StepStatus step = status.getCurrentStep();
        if (step == null || step.getIndex() == null) {
            return lastCheck(step).flatMap(last -> remaining(last.plus(settings.interval())));
        }
        Optional<Instant> from = lastCheck(step).or(() -> Timestamps.parse(step.getStartedAt()));
        return from.flatMap(last -> remaining(last.plus(CheckVerdicts.nextCheck(settings, status))));
    }

    /**
     * After a passed check: how long the step must still be held (the next check comes no later
     * than {@code checkEvery}), or empty when it has been held for the interval and may advance.
     */
    public Optional<Duration> holdLeft() {
        Duration left = settings.interval().minus(sinceStepStart());
        if (left.isNegative() || left.isZero()) {
            return Optional.empty();
        }
        return Optional.of(left.compareTo(settings.checkEvery()) < 0 ? left : settings.checkEvery());
    }

    /**
     * While the canary is not ready: when to look again (at most every 5s), or empty when it has
     * been unready for longer than the progress deadline and the release must be rolled back.
     * The deadline runs from when the canary was first seen unready ({@code canaryNotReadySince}),
     * so a long step, pause or gate does not use it up.
     */
    public Optional<Duration> untilReadinessDeadline() {
        Duration unready = Timestamps.parse(status.getCanaryNotReadySince()).map(since -> Duration.between(since, now))
                .orElse(Duration.ZERO);
        Duration left = settings.progressDeadline().minus(unready);
        if (left.isNegative()) {
            return Optional.empty();
        }
        return Optional.of(left.compareTo(MAX_READINESS_POLL) < 0 ? left : MAX_READINESS_POLL);
    }

    /** How long the current step has been held; a step with no start recorded counts as begun now. */
    private Duration sinceStepStart() {
        return Optional.ofNullable(status.getCurrentStep()).flatMap(step -> Timestamps.parse(step.getStartedAt()))
                .map(since -> Duration.between(since, now)).orElse(Duration.ZERO);
    }

    private static Optional<Instant> lastCheck(StepStatus step) {
        return step == null ? Optional.empty() : Timestamps.parse(step.getLastCheckAt());
    }

    private Optional<Duration> remaining(Instant due) {
        return now.isBefore(due) ? Optional.of(Duration.between(now, due)) : Optional.empty();
    }
}
