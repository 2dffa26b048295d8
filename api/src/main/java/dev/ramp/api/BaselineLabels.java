package dev.ramp.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The baseline's selector labels: the target's, each value suffixed with -baseline, so that the
 * baseline's pods match neither the primary's selector nor the canary's, and theirs neither its
 * own. A value that would exceed 63 characters is shortened with a hash (see {@link KubeNames}).
 */
public final class BaselineLabels {

    public static final String SUFFIX = RolloutNames.BASELINE_SUFFIX;

    private BaselineLabels() {
    }

    public static Map<String, String> of(Map<String, String> targetSelector) {
        Map<String, String> labels = new LinkedHashMap<>();
        targetSelector.forEach((k, v) -> labels.put(k, KubeNames.withSuffix(v == null ? "" : v, SUFFIX)));
        return labels;
    }

    /**
     * The primary's pod labels (the promoted revision's, {@link RampLabels#REVISION} and Istio's
     * canonical revision among them) with the selector's keys replaced by their baseline values.
     */
    public static Map<String, String> podLabels(Map<String, String> primaryPodLabels, Map<String, String> targetSelector) {
        Map<String, String> labels = new LinkedHashMap<>(primaryPodLabels == null ? Map.of() : primaryPodLabels);
        labels.putAll(of(targetSelector));
        return labels;
    }
}
