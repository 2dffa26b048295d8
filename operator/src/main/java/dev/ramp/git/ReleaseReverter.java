package dev.ramp.git;

import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Makes Git declare the stable version again after a release failed (Rollout
 * {@code spec.gitRevert}). The state machine calls it; Git's side implements it ({@link GitReverter}).
 */
public interface ReleaseReverter {

    /**
     * The failed release: which Rollout, its target as it runs now, the failed revision and why it
     * failed (status.rollbackCause; null when unknown). The cause is data, so the revert commit
     * says why from its fields and never quotes a hook's or provider's answer.
     */
    record Request(Rollout rollout, HasMetadata target, String revision, RollbackCause cause) {

        /** The target's kind (Deployment, StatefulSet): the kind of object the revert looks for in Git. */
        public String kind() {
            return target.getKind();
        }
    }

    /** How a revert ended. {@code retry} is true when the world was at fault and trying again may work. */
    record Outcome(boolean reverted, String reason, String message, String commit, boolean retry) {

        public static Outcome done(String reason, String message, String commit) {
            return new Outcome(true, reason, message, commit, false);
        }

        public static Outcome refused(String reason, String message) {
            return new Outcome(false, reason, message, null, false);
        }

        public static Outcome later(String reason, String message) {
            return new Outcome(false, reason, message, null, true);
        }
    }

    Outcome revert(Request request);
}
