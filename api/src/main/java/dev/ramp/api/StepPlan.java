package dev.ramp.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A canary's steps: the canary's weight at each, from stepWeights or stepWeight/maxWeight, or for
 * a StatefulSet the pods on the new revision at each, from stepReplicas.
 */
public final class StepPlan {

    static final int DEFAULT_STEP_WEIGHT = 10;
    static final int DEFAULT_MAX_WEIGHT = 50;

    private StepPlan() {
    }

    /** How many steps a canary takes before its promotion. */
    public static int count(AnalysisSpec analysis) {
        return pods(analysis).map(List::size).orElseGet(() -> weights(analysis).size());
    }

    /** The pods on the new revision at each step, when the steps are counted in pods (stepReplicas). */
    public static Optional<List<Integer>> pods(AnalysisSpec analysis) {
        return analysis == null || analysis.getStepReplicas() == null || analysis.getStepReplicas().isEmpty()
                ? Optional.empty() : Optional.of(List.copyOf(analysis.getStepReplicas()));
    }

    /**
     * The canary's weight at each step in percent. Steps counted in pods have the share of
     * {@code replicas} their pods make (rounded, at least 1): use {@link #weights(AnalysisSpec, int)}.
     */
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

    /** The canary's weight at each step for a target of {@code replicas} pods. */
    public static List<Integer> weights(AnalysisSpec analysis, int replicas) {
        return pods(analysis).map(pods -> pods.stream().map(n -> share(replicas, n)).toList()).orElseGet(() -> weights(analysis));
    }

    /** The percent of {@code replicas} that {@code pods} of them make (rounded; at least 1 for a pod, at most 100). */
    public static int share(int replicas, int pods) {
        if (replicas <= 0 || pods <= 0) {
            return 0;
        }
        return Math.max(1, (int) Math.round(100.0 * Math.min(pods, replicas) / replicas));
    }
}
