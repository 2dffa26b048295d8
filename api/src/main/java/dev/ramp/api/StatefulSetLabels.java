package dev.ramp.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The label a StatefulSet's controller puts on each of its pods, naming the ControllerRevision the
 * pod runs, and the selectors Ramp derives from it: behind a router, the Services
 * {@code <service>-primary} and {@code <service>-canary} of a StatefulSet target select its pods of
 * one revision each (docs/statefulsets.md).
 */
public final class StatefulSetLabels {

    /** Set by the StatefulSet controller on each pod: the name of the ControllerRevision it runs. */
    public static final String REVISION = "controller-revision-hash";

    private StatefulSetLabels() {
    }

    /** The StatefulSet's pod selector narrowed to its pods of {@code revision}. */
    public static Map<String, String> selector(Map<String, String> podSelector, String revision) {
        Map<String, String> selector = new LinkedHashMap<>(podSelector == null ? Map.of() : podSelector);
        selector.put(REVISION, revision);
        return selector;
    }
}
