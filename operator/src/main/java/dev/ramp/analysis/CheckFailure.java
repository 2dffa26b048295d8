package dev.ramp.analysis;

/**
 * Why a metric check did not pass. Each one is a failed check (Ramp never promotes on a check
 * that could not run); they differ in who can fix them. The canary's behaviour and the world's
 * (no data yet, Prometheus down) may change by the next interval, so they are reported at every
 * check as {@code CheckFailed}. A configuration error will not fix itself: it gets its own
 * reason, reported once per release.
 */
public enum CheckFailure {

    /** The Rollout names a MetricTemplate that does not exist. */
    TEMPLATE_NOT_FOUND("TemplateNotFound", true),
    /** The provider answered and refused the query (e.g. a PromQL parse error). */
    QUERY_REJECTED("QueryRejected", true),
    /** The metric cannot be turned into a query: unknown variable, no such built-in, missing Secret. */
    INVALID_METRIC("InvalidMetric", true),
    /** The provider could not be reached, or answered with a server error. */
    PROVIDER_UNAVAILABLE("ProviderUnavailable", false),
    /** The query returned nothing for the canary. */
    NO_DATA("NoData", false),
    /** The value is outside the threshold range. */
    OUT_OF_RANGE("OutOfRange", false);

    /** The Analysis condition's reason while the world, not the configuration, fails a check. */
    public static final String CHECK_FAILED = "CheckFailed";

    private final String reason;
    private final boolean configuration;

    CheckFailure(String reason, boolean configuration) {
        this.reason = reason;
        this.configuration = configuration;
    }

    /** The name of this failure in metrics labels. */
    public String reason() {
        return reason;
    }

    /** Whether only a change to the Rollout or its MetricTemplates can fix it. */
    public boolean isConfiguration() {
        return configuration;
    }

    /** The Analysis condition's reason: the failure itself when the user must fix it, else CheckFailed. */
    public String conditionReason() {
        return configuration ? reason : CHECK_FAILED;
    }
}
