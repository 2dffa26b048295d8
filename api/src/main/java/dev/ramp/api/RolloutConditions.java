package dev.ramp.api;

/**
 * The types of a Rollout's conditions, set by the operator and read by the CLI and by users'
 * {@code kubectl wait --for=condition=...}. The reasons of each live beside it ({@link AnalysisReasons},
 * {@link GitRevertReasons}, {@link RoutingCondition}).
 */
public final class RolloutConditions {

    /** Whether the Rollout is set up and reconciled (False with the error when a pass keeps failing). */
    public static final String READY = "Ready";
    /** Whether the release's revision was promoted: Unknown while releasing, False once rolled back. */
    public static final String PROMOTED = "Promoted";
    /** The last check's verdict, and why. */
    public static final String ANALYSIS = "Analysis";
    /** What the release's webhooks answered (confirmations, a rollback request, a failed check). */
    public static final String WEBHOOKS = "Webhooks";
    /** How the Git side of a rollback ended ({@link GitRevertReasons}). */
    public static final String GIT_REVERTED = "GitReverted";

    private RolloutConditions() {
    }
}
