package dev.ramp.api;

/**
 * Reasons of a Rollout's {@code Webhooks} condition and of its webhooks' Events, set by the
 * operator and read by users and the CLI.
 */
public final class WebhookReasons {

    /** Every confirm-rollout (or confirm-promotion) hook answered 2xx. */
    public static final String CONFIRMED = "Confirmed";
    /** A confirm hook did not answer 2xx yet: the release waits, asking again each interval. */
    public static final String WAITING_FOR_CONFIRMATION = "WaitingForConfirmation";
    /** A checking hook said no (4xx other than 408/429, or 500): a failed check. */
    public static final String HOOK_FAILED = RollbackCause.HOOK_FAILED;
    /** A hook could not be reached, timed out, or answered 408/429/502/503/504: no verdict (Inconclusive). */
    public static final String HOOK_UNREACHABLE = "HookUnreachable";
    /** The Rollout's namespace had no room on the operator's outside threads: the hook was not asked (Inconclusive). */
    public static final String HOOK_BUSY = "HookBusy";
    /** A rollback hook answered 2xx: the release is rolled back now. */
    public static final String ROLLBACK_REQUESTED = RollbackCause.ROLLBACK_REQUESTED;

    private WebhookReasons() {
    }
}
