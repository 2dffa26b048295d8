package dev.ramp.api;

/** Where a Rollout is in its lifecycle; see docs/canary.md for the transitions. */
public enum Phase {
    /** The primary Deployment, Services and routing are being created. */
    Initializing,
    /** Bootstrapped; the primary serves all traffic and no release runs. */
    Initialized,
    /** A release is running: the canary is checked while traffic moves to it. */
    Progressing,
    /** All checks passed; waiting for a confirm-promotion hook or a manual promote. */
    WaitingPromotion,
    /** The canary's template is being copied into the primary. */
    Promoting,
    /** The primary runs the new version; traffic is back on it and the canary scales to 0. */
    Finalising,
    /** The last release was promoted. */
    Succeeded,
    /** The last release was rolled back. */
    Failed
}
