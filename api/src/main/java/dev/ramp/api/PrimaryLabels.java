package dev.ramp.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The primary's selector labels: the target's, each value suffixed with -primary, so that the
 * primary's pods and the canary's never match each other's selectors. A value that would exceed
 * 63 characters is shortened with a hash (see {@link KubeNames}).
 */
public final class PrimaryLabels {

    public static final String SUFFIX = RolloutNames.PRIMARY_SUFFIX;

    private PrimaryLabels() {
    }

    public static Map<String, String> of(Map<String, String> targetSelector) {
        Map<String, String> labels = new LinkedHashMap<>();
        targetSelector.forEach((k, v) -> labels.put(k, KubeNames.withSuffix(v == null ? "" : v, SUFFIX)));
        return labels;
    }

    /** The target's pod labels with the selector's keys replaced by their primary values. */
    public static Map<String, String> podLabels(Map<String, String> targetPodLabels, Map<String, String> targetSelector) {
        Map<String, String> labels = new LinkedHashMap<>(targetPodLabels == null ? Map.of() : targetPodLabels);
        labels.putAll(of(targetSelector));
        return labels;
    }
}
