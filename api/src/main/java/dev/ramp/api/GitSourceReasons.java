package dev.ramp.api;

/**
 * Reasons of a GitSource's {@code Ready=False} and {@code Stalled=True} conditions that the
 * operator and the CLI both name. Each is one a person must fix in the GitSource: it is not
 * retried until the GitSource changes or its interval comes round.
 */
public final class GitSourceReasons {

    /** The remote's host is one the operator's egress policy denies; nothing was sent to it ({@link EgressReasons}). */
    public static final String EGRESS_DENIED = EgressReasons.EGRESS_DENIED;
    /**
     * The remote answered a fetch or push with an HTTP redirect. Ramp follows none, since the
     * egress policy checked only spec.url; the fix is to set spec.url to where it redirects.
     */
    public static final String REDIRECT_REFUSED = "RedirectRefused";

    /** spec.url cannot be parsed as a Git URL, or names no host; nothing was fetched. */
    public static final String INVALID_URL = "InvalidURL";

    /** A commit declares an object outside the GitSource's namespace (or cluster-scoped); nothing of it is applied. */
    public static final String OUTSIDE_NAMESPACE = "OutsideNamespace";

    /**
     * A fetch received more bytes than the operator allows one fetch (ramp.git.max-fetch-bytes):
     * Ramp stopped reading, and the branch's recent history must shrink or the limit grow.
     */
    public static final String FETCH_TOO_LARGE = "FetchTooLarge";

    private GitSourceReasons() {
    }
}
