package dev.ramp.rollout;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Durations;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import java.time.Duration;

/**
 * A Rollout's analysis settings with the defaults applied. Checks run every {@link #checkEvery()}
 * (the interval, but at least every 5s), so a failing canary is noticed and confirmed in
 * seconds, while each step is still held for the whole interval. While checks are inconclusive
 * they back off ({@link #nextCheckAfter(int)}), so an outage is waited out rather than counted away.
 */
public record AnalysisSettings(Duration interval, int threshold, int inconclusiveLimit, Duration progressDeadline) {

    static final Duration MAX_CHECK_EVERY = Duration.ofSeconds(5);

    /**
     * How often checks look for new evidence while they fail: Prometheus' newer sample is read
     * within this of its scrape, and a look that finds none counts nothing (CheckVerdicts). Only a
     * failing canary is checked this often, so good releases cost Prometheus no more.
     */
    static final Duration EVIDENCE_POLL = Duration.ofMillis(500);

    public Duration checkEvery() {
        return interval.compareTo(MAX_CHECK_EVERY) < 0 ? interval : MAX_CHECK_EVERY;
    }

    /** The pace of checks while they fail: {@link #EVIDENCE_POLL}, or {@link #checkEvery()} when that is shorter. */
    public Duration evidencePoll() {
        return checkEvery().compareTo(EVIDENCE_POLL) < 0 ? checkEvery() : EVIDENCE_POLL;
    }

    /**
     * The wait before the next check after {@code inconclusive} inconclusive checks in a row:
     * {@link #checkEvery()}, doubling with each inconclusive check, up to the interval.
     */
    public Duration nextCheckAfter(int inconclusive) {
        if (inconclusive <= 0) {
            return checkEvery();
        }
        Duration wait = checkEvery().multipliedBy(1L << Math.min(inconclusive - 1, 20));
        Duration cap = interval.compareTo(checkEvery()) > 0 ? interval : checkEvery();
        return wait.compareTo(cap) > 0 ? cap : wait;
    }

    public static AnalysisSettings of(Rollout rollout) {
        AnalysisSpec analysis = rollout.getSpec().getAnalysis();
        Duration interval = Durations.parse(AnalysisSpec.effectiveInterval(analysis));
        int threshold = AnalysisSpec.effectiveThreshold(analysis);
        int inconclusiveLimit = AnalysisSpec.effectiveInconclusiveLimit(analysis);
        return new AnalysisSettings(interval, threshold, inconclusiveLimit,
                Duration.ofSeconds(RolloutSpec.effectiveProgressDeadlineSeconds(rollout.getSpec())));
    }
}
