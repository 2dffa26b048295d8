package dev.ramp.rollout;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Rollout;
import java.time.Duration;

/** A Rollout's analysis settings with the defaults applied. */
public record AnalysisSettings(Duration interval, int threshold, Duration progressDeadline) {

    public static AnalysisSettings of(Rollout rollout) {
        AnalysisSpec analysis = rollout.getSpec().getAnalysis();
        Duration interval = Durations.parse(analysis == null || analysis.getInterval() == null ? "30s" : analysis.getInterval());
        int threshold = analysis == null || analysis.getThreshold() == null ? 3 : analysis.getThreshold();
        Integer deadline = rollout.getSpec().getProgressDeadlineSeconds();
        return new AnalysisSettings(interval, threshold, Duration.ofSeconds(deadline == null ? 600 : deadline));
    }
}
