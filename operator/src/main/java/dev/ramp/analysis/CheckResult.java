package dev.ramp.analysis;

import dev.ramp.api.MetricStatus;
import java.util.List;
import java.util.stream.Collectors;

/** The outcome of one round of checks: each metric's status, and whether all passed. */
public record CheckResult(List<MetricStatus> metrics) {

    public boolean passed() {
        return metrics.stream().allMatch(m -> Boolean.TRUE.equals(m.getPassed()));
    }

    /** What failed, for conditions, events and the revert commit's message. */
    public String failures() {
        return metrics.stream().filter(m -> !Boolean.TRUE.equals(m.getPassed()))
                .map(m -> m.getName() + ": " + m.getMessage()).collect(Collectors.joining("; "));
    }
}
