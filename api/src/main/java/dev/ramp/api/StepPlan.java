package dev.ramp.api;

import dev.ramp.api.AnalysisSpec;
import java.util.ArrayList;
import java.util.List;

/** The canary's weight at each step of a release, from stepWeights or stepWeight/maxWeight. */
public final class StepPlan {

    static final int DEFAULT_STEP_WEIGHT = 10;
    static final int DEFAULT_MAX_WEIGHT = 50;

    private StepPlan() {
    }

    public static List<Integer> weights(AnalysisSpec analysis) {
        if (analysis != null && analysis.getStepWeights() != null && !analysis.getStepWeights().isEmpty()) {
            return List.copyOf(analysis.getStepWeights());
        }
        int step = analysis == null || analysis.getStepWeight() == null ? DEFAULT_STEP_WEIGHT : analysis.getStepWeight();
        int max = analysis == null || analysis.getMaxWeight() == null ? DEFAULT_MAX_WEIGHT : analysis.getMaxWeight();
        List<Integer> weights = new ArrayList<>();
        for (int w = step; w < max; w += step) {
            weights.add(w);
        }
        weights.add(max);
        return weights;
    }
}
