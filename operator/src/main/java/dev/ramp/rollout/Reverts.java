package dev.ramp.rollout;

import dev.ramp.git.ReleaseReverter;
import dev.ramp.work.Observation;

/**
 * The Git revert of a failed release as the state machine asks for it: a fetch and a push, so it
 * runs outside the reconcile threads like the probes ({@link AsyncProbes#reverts}), and the
 * Failed phase holds while it is pending. The revert is idempotent and its intent is recorded
 * first (status.gitRevert Pending, Reverting), so a repeated ask does no harm.
 */
public interface Reverts {

    Observation<ReleaseReverter.Outcome> revert(RolloutContext context, ReleaseReverter.Request request);

    /** Reverts on the calling thread: for unit tests that answer from a script. */
    static Reverts inline(ReleaseReverter reverter) {
        return (context, request) -> Observation.ready(reverter.revert(request));
    }
}
