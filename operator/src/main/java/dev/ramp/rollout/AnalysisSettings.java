package dev.ramp.rollout;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Rollout;
import java.time.Duration;

/**
 * A Rollout's analysis settings with the defaults applied. Checks run every {@link #checkEvery()}
 * (the interval, but at least every 5s), so a failing canary is noticed and confirmed in
 * seconds, while each step is still held for the whole interval.
 */
public record AnalysisSettings(Duration interval, int threshold, Duration progressDeadline) {

    static final Duration MAX_CHECK_EVERY = Duration.ofSeconds(5);

    public Duration checkEvery() {
        return interval.compareTo(MAX_CHECK_EVERY) < 0 ? interval : MAX_CHECK_EVERY;
    }

    public static AnalysisSettings of(Rollout rollout) {
        AnalysisSpec analysis = rollout.getSpec().getAnalysis();
        Duration interval = Durations.parse(analysis == null || analysis.getInterval() == null ? "30s" : analysis.getInterval());
        int threshold = analysis == null || analysis.getThreshold() == null ? 3 : analysis.getThreshold();
        Integer deadline = rollout.getSpec().getProgressDeadlineSeconds();
        return new AnalysisSettings(interval, threshold, Duration.ofSeconds(deadline == null ? 600 : deadline));
    }
}
