package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The Git side of a failed release, as data the Failed phase decides from: whether a revert is
 * pending, pushed, refused by Git, or not called for. The {@code GitReverted} condition is
 * derived from it and never read back.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class GitRevertStatus {

    /** Where the revert stands. */
    public enum State {
        /** Decided, not yet pushed: the push comes next, or is retried (Git unreachable, the branch moving). */
        Pending,
        /** The revert commit is pushed (to the branch, or to a revert branch for review). */
        Reverted,
        /** Git could not be reverted (a conflict, nothing to revert, the commit not found); nothing was pushed, and it is not retried. */
        Refused,
        /** The rollback's cause is no evidence against the commit: Git is left declaring it. */
        NotReverted
    }

    @JsonPropertyDescription("Pending (a revert decided, not yet pushed), Reverted, Refused (Git could not be reverted; nothing pushed) or NotReverted (the rollback's cause is no evidence against the commit).")
    private State state;

    @JsonPropertyDescription("The Git commit Ramp pushed to revert the failed release, once Reverted.")
    private String commit;

    @JsonPropertyDescription("Why, in one word: a reason of the GitReverted condition (Reverting, Reverted, RevertBranchPushed, RevertConflict, NotReverted, ...).")
    private String reason;

    @JsonPropertyDescription("What happened, in words.")
    private String message;

    public GitRevertStatus() {
    }

    public GitRevertStatus(State state, String reason, String message, String commit) {
        this.state = state;
        this.reason = reason;
        this.message = message;
        this.commit = commit;
    }

    public State getState() {
        return state;
    }

    public void setState(State state) {
        this.state = state;
    }

    public String getCommit() {
        return commit;
    }

    public void setCommit(String commit) {
        this.commit = commit;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }
}
