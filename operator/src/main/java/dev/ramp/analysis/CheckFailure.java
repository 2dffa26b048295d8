package dev.ramp.analysis;

import dev.ramp.api.AnalysisReasons;
import dev.ramp.api.EgressReasons;
import dev.ramp.api.Verdict;

/**
 * Why a metric check did not pass, and so its verdict. Only a value out of range, or the judge
 * finding the canary worse than the primary, says the canary is bad ({@link Verdict#Failed}); everything else is {@link Verdict#Inconclusive}: the world's
 * failures (no data yet, too few requests, Prometheus down) may change by the next check, and a
 * configuration error (a missing template, a rejected query) says nothing about the canary.
 * Configuration errors come first in this order: only the user can fix them, so they are read first.
 */
public enum CheckFailure {

    /** The Rollout names a MetricTemplate in another namespace, and the operator does not allow that. */
    CROSS_NAMESPACE_REF("CrossNamespaceRefDenied", true),
    /** The Rollout names a MetricTemplate that does not exist. */
    TEMPLATE_NOT_FOUND("TemplateNotFound", true),
    /** The provider answered and refused the query (e.g. a PromQL parse error). */
    QUERY_REJECTED("QueryRejected", true),
    /** The metric cannot be turned into a query: unknown variable, no such built-in, missing Secret. */
    INVALID_METRIC("InvalidMetric", true),
    /** The template's provider address is one the operator's egress policy denies (e.g. loopback, a metadata endpoint). */
    EGRESS_DENIED(EgressReasons.EGRESS_DENIED, true),
    /** Nothing judges the canary: no metrics and {@code minRequests: 0}, without {@code skipAnalysis}. */
    NO_EVIDENCE(AnalysisReasons.NO_EVIDENCE, true),
    /** The value is outside the threshold range: fails the check. */
    OUT_OF_RANGE("OutOfRange", false),
    /**
     * The statistical judge found the canary worse than the primary: a critical compare metric High
     * or Low, or a score below {@code judge.marginal}. Fails the check, as a value out of range does.
     */
    JUDGED_WORSE("JudgedWorse", false),
    /** The provider could not be reached, timed out, or answered with a server error. */
    PROVIDER_UNAVAILABLE("ProviderUnavailable", false),
    /** The query returned nothing for the canary's revision (yet). */
    NO_DATA("NoData", false),
    /** The canary's revision served fewer requests in the window than analysis.minRequests. */
    TOO_FEW_REQUESTS("TooFewRequests", false),
    /** A compare metric had fewer than {@code judge.minPoints} points on a side: the judge cannot score the check yet. */
    TOO_FEW_POINTS("TooFewPoints", false),
    /** The judge's score lies between {@code judge.marginal} and {@code judge.pass}: neither good nor bad enough. */
    MARGINAL_SCORE("MarginalScore", false),
    /**
     * Too few points only because the release is younger than {@code judge.minPoints} steps: the
     * window cannot hold them yet, and will. Holds the step without counting toward
     * {@code inconclusiveLimit}; last in this order, so any other reason a round has names it.
     */
    WINDOW_FILLING("WindowFilling", false),
    /** The operator did not run the round: its namespace's share of outside calls was in use, or the round's work broke. */
    NOT_RUN("ChecksNotRun", false);

    /** The Analysis condition's reason when a metric is out of range, or the judge failed the check. */
    public static final String CHECK_FAILED = "CheckFailed";
    /** The Analysis condition's reason while the world keeps a check from a verdict. */
    public static final String CHECK_INCONCLUSIVE = "CheckInconclusive";

    private final String reason;
    private final boolean configuration;

    CheckFailure(String reason, boolean configuration) {
        this.reason = reason;
        this.configuration = configuration;
    }

    /** Why a query gave no value: the provider refused it, the egress policy forbade asking it, or it could not be asked. */
    public static CheckFailure of(MetricQueryException e) {
        return switch (e.kind()) {
            case REJECTED -> QUERY_REJECTED;
            case DENIED -> EGRESS_DENIED;
            case UNAVAILABLE -> PROVIDER_UNAVAILABLE;
        };
    }

    /** The name of this failure in metrics labels. */
    public String reason() {
        return reason;
    }

    /** Whether only a change to the Rollout or its MetricTemplates can fix it. */
    public boolean isConfiguration() {
        return configuration;
    }

    public Verdict verdict() {
        return this == OUT_OF_RANGE || this == JUDGED_WORSE ? Verdict.Failed : Verdict.Inconclusive;
    }

    /** The Analysis condition's reason: the failure itself when the user must fix it. */
    public String conditionReason() {
        return configuration ? reason : verdict() == Verdict.Failed ? CHECK_FAILED : CHECK_INCONCLUSIVE;
    }
}
