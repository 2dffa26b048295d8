package dev.ramp.rollout;

import dev.ramp.api.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The timing of a release's steps, decided from the settings, the times recorded in status and
 * now, with no I/O: when the next check is due, whether a step has been held long enough, and
 * how long a canary may still take to become ready. Unit-tested with a fixed clock.
 */
public record StepClock(AnalysisSettings settings, RolloutStatus status, Instant now) {

    private static final Duration MAX_READINESS_POLL = Duration.ofSeconds(5);

    /**
     * How long until the next check, or empty when it is due now. Before traffic, checks (the
     * confirm-rollout and pre-rollout hooks) come once per interval; during a step, every
     * {@code checkEvery}, backed off while checks are inconclusive.
     */
    public Optional<Duration> untilNextCheck() {
        if (status.getLastCheckTime() == null) {
            return Optional.empty();
        }
        Duration every = status.getStep() == null ? settings.interval() : CheckVerdicts.nextCheck(settings, status);
        return remaining(Instant.parse(status.getLastCheckTime()).plus(every));
    }

    /**
     * After a passed check: how long the step must still be held (the next check comes no later
     * than {@code checkEvery}), or empty when it has been held for the interval and may advance.
     */
    public Optional<Duration> holdLeft() {
        Duration left = settings.interval().minus(sinceTransition());
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
        String since = status.getCanaryNotReadySince();
        Duration unready = since == null ? Duration.ZERO : Duration.between(Instant.parse(since), now);
        Duration left = settings.progressDeadline().minus(unready);
        if (left.isNegative()) {
            return Optional.empty();
        }
        return Optional.of(left.compareTo(MAX_READINESS_POLL) < 0 ? left : MAX_READINESS_POLL);
    }

    private Duration sinceTransition() {
        String since = status.getLastTransitionTime();
        return since == null ? Duration.ZERO : Duration.between(Instant.parse(since), now);
    }

    private Optional<Duration> remaining(Instant due) {
        return now.isBefore(due) ? Optional.of(Duration.between(now, due)) : Optional.empty();
    }
}
