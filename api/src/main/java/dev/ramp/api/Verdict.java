package dev.ramp.api;

/**
 * The verdict of a check. Only {@link #Failed} counts toward {@code analysis.threshold} and can
 * lead to a revert in Git; {@link #Inconclusive} holds the step and has a limit of its own.
 */
public enum Verdict {
    /** Every metric in range, on enough requests from the canary's own revision. */
    Passed,
    /** The canary is bad: a metric out of range, or a hook that said no. */
    Failed,
    /** No evidence either way: no data yet, too few requests, a provider or hook unreachable, a metric that cannot run. */
    Inconclusive
}
