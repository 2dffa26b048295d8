package dev.ramp.git;

/**
 * Why a sync or a revert could not go ahead. {@link #reason()} becomes a condition's reason;
 * {@link #userFixable()} says whether retrying can help before someone changes Git, a Secret or
 * the GitSource (false: the world is at fault, e.g. the Git server is unreachable).
 */
public class GitSourceException extends Exception {

    private final String reason;
    private final boolean userFixable;

    public GitSourceException(String reason, String message, boolean userFixable) {
        super(message);
        this.reason = reason;
        this.userFixable = userFixable;
    }

    public GitSourceException(String reason, String message, boolean userFixable, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.userFixable = userFixable;
    }

    public static GitSourceException userError(String reason, String message) {
        return new GitSourceException(reason, message, true);
    }

    public String reason() {
        return reason;
    }

    public boolean userFixable() {
        return userFixable;
    }
}
