package dev.ramp.api;

/**
 * The reasons (and one condition type) that say on what evidence a release is judged, shared by
 * the operator, which sets them, and the CLI, which reads them.
 */
public final class AnalysisReasons {

    /** The Analysis condition's reason (True) when {@code analysis.skipAnalysis} promotes without checks. */
    public static final String SKIPPED = "AnalysisSkipped";

    /**
     * The Analysis condition's reason (False, Inconclusive) when nothing judges the canary: no
     * metrics and {@code minRequests: 0}, without {@code skipAnalysis}.
     */
    public static final String NO_EVIDENCE = "NoEvidence";

    /**
     * A condition type: False when a metric's MetricTemplate query does not select the canary's
     * revision ({@code {{ revision }}}), so that its value may mix the canary with the primary.
     * Absent when every metric selects it.
     */
    public static final String REVISION_SELECTED = "RevisionSelected";

    /** {@link #REVISION_SELECTED}'s reason when it is False. */
    public static final String QUERY_IGNORES_REVISION = "QueryIgnoresRevision";

    /** The Analysis condition's reason (True) when every check of the round passed. */
    public static final String CHECKS_PASSED = "ChecksPassed";

    private AnalysisReasons() {
    }
}
