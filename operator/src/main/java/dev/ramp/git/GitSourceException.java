package dev.ramp.git;

import dev.ramp.kube.ApiErrors;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Why a sync or a revert could not go ahead. {@link #reason()} becomes a condition's reason;
 * {@link #userFixable()} says whether retrying can help before someone changes Git, a Secret or
 * the GitSource (false: the world is at fault, e.g. the Git server is unreachable).
 */
public class GitSourceException extends Exception {

    /** The reason of a Kubernetes API failure of the moment (busy, failing, in conflict, unreachable). */
    public static final String TRANSIENT_API_ERROR = "TransientAPIError";
    /** The reason of a request the API server forbade: RBAC, or a policy, refused it. */
    public static final String FORBIDDEN = "Forbidden";

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

    /**
     * A Kubernetes API failure while doing {@code what} (e.g. "ConfigMap team/a (a.yaml, document 1)
     * could not be applied"). A failure of the moment is retried ({@link ApiErrors#isTransient});
     * a 403 says whose permission is missing; any other refusal is the request's fault, reported
     * with {@code reason}.
     */
    public static GitSourceException fromApi(String reason, String what, KubernetesClientException e) {
        return fromApi(reason, what, e, "the identity Ramp applies as");
    }

    /**
     * As {@link #fromApi(String, String, KubernetesClientException)}, a 403 naming {@code who}
     * made the request (e.g. "ServiceAccount team-a/deployer"): the user's to fix, never retried.
     */
    public static GitSourceException fromApi(String reason, String what, KubernetesClientException e, String who) {
        if (ApiErrors.isTransient(e)) {
            return new GitSourceException(TRANSIENT_API_ERROR, what + ": " + ApiErrors.describe(e), false, e);
        }
        if (e.getCode() == 403) {
            return new GitSourceException(FORBIDDEN, what + ": forbidden for " + who + " (grant it the permission in"
                    + " RBAC, or lift the policy that refused it): " + ApiErrors.describe(e), true, e);
        }
        return new GitSourceException(reason, what + ": " + ApiErrors.describe(e), true, e);
    }

    public String reason() {
        return reason;
    }

    public boolean userFixable() {
        return userFixable;
    }
}
