package dev.ramp.api;

/**
 * Reasons of a Rollout's {@code GitReverted} condition, as the Git side of a revert ends. Only
 * {@link #REVERTED} and {@link #REVERT_BRANCH_PUSHED} mean Git was changed; every other reason
 * leaves Git as it was (the cluster stays on the stable version either way).
 */
public final class GitRevertReasons {

    /** A revert is decided and not yet pushed (GitReverted=Unknown): the push comes in the next pass. */
    public static final String REVERTING = "Reverting";

    /** The revert commit is on the GitSource's branch. */
    public static final String REVERTED = "Reverted";
    /** The revert commit is on a branch of its own, for review (spec.gitRevert.mode Branch). */
    public static final String REVERT_BRANCH_PUSHED = "RevertBranchPushed";
    /** Later commits changed the same lines of the target's file; nothing was pushed. */
    public static final String REVERT_CONFLICT = "RevertConflict";
    /** Git already declares the promoted version of the target, or no commit since changed it. */
    public static final String NOTHING_TO_REVERT = "NothingToRevert";
    /** The target carries no commit annotation: no GitSource applied it. */
    public static final String NOT_FROM_GIT = "NotFromGit";
    /** The failed commit is not on the GitSource's branch. */
    public static final String COMMIT_NOT_FOUND = "CommitNotFound";
    /**
     * status.lastPromotedCommit is not in the branch's history as fetched, even after fetching
     * deeper once (older than the fetch depth, or force-pushed away): what to restore is unknown.
     */
    public static final String PROMOTED_COMMIT_NOT_FOUND = "PromotedCommitNotFound";
    /**
     * The target's file did not exist at the commit to restore: Ramp does not delete a file to
     * revert it, since that would delete the target.
     */
    public static final String PROMOTED_FILE_NOT_FOUND = "PromotedFileNotFound";
    /** spec.gitRevert.sourceRef names no GitSource. */
    public static final String GIT_SOURCE_NOT_FOUND = "GitSourceNotFound";
    /**
     * The rollback's cause does not call for a revert (the canary's commit was not at fault: an
     * inconclusive analysis, a manual abort, a canary that never got scheduled); Git is left alone.
     */
    public static final String NOT_REVERTED = "NotReverted";
    /** The Rollout's namespace had no room on the operator's outside threads for the revert now; retried later. */
    public static final String BUSY = "GitRevertBusy";
    /** The branch kept moving while the revert was pushed; retried later. */
    public static final String PUSH_REJECTED = "PushRejected";

    private GitRevertReasons() {
    }
}
