package dev.ramp.analysis;

import dev.ramp.api.MetricStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** The outcome of one round of checks: each metric's status, whether all passed, and why not. */
public record CheckResult(List<MetricOutcome> outcomes) {

    /** The Analysis condition's reason when every check passed. */
    public static final String PASSED = "ChecksPassed";

    /** Each metric's last value, bounds and verdict, for status.metrics. */
    public List<MetricStatus> metrics() {
        return outcomes.stream().map(MetricOutcome::status).toList();
    }

    public boolean passed() {
        return outcomes.stream().allMatch(MetricOutcome::passed);
    }

    /**
     * The failure that names the round: a configuration error before the world's failures, in
     * {@link CheckFailure}'s order, because only the user can fix it and the user should read it first.
     */
    public Optional<CheckFailure> failure() {
        return outcomes.stream().map(MetricOutcome::failure).filter(Objects::nonNull)
                .min(Comparator.naturalOrder());
    }

    /** The Analysis condition's reason for this round. */
    public String reason() {
        return failure().map(CheckFailure::conditionReason).orElse(PASSED);
    }

    /** What failed, configuration errors first, for conditions, events and the revert commit's message. */
    public String failures() {
        return outcomes.stream().filter(o -> !o.passed()).sorted(Comparator.comparing(MetricOutcome::failure))
                .map(o -> o.status().getName() + ": " + o.status().getMessage()).collect(Collectors.joining("; "));
    }

    /** The failures, led by the reason when it is a configuration error, so a rollback says what to fix. */
    public String summary() {
        return failure().filter(CheckFailure::isConfiguration).map(f -> f.reason() + ": " + failures()).orElse(failures());
    }
}
