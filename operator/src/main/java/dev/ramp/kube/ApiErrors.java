package dev.ramp.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a Kubernetes API failure of the moment from a refusal of the request itself. The API
 * server answering 409 (someone else wrote first), 429 (too many requests) or 5xx (including an
 * admission webhook that failed or timed out), or not answering at all, is the world's fault:
 * the same request may succeed later unchanged. Any other 4xx answer is about the request.
 */
public final class ApiErrors {

    private ApiErrors() {
    }

    /** Whether retrying the same request later may succeed without anyone changing anything. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException e && e.getCode() > 0) {
                return isTransient(e.getCode());
            }
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof InterruptedException) {
                return true;
            }
        }
        // A client exception without an HTTP code is one the server never answered.
        return failure instanceof KubernetesClientException;
    }

    /**
     * 401 is transient too: it refuses Ramp's own credentials (a token being rotated), which no
     * change to the request can fix. 408 is the server giving up waiting.
     */
    public static boolean isTransient(int code) {
        return code <= 0 || code == 401 || code == 408 || code == 409 || code == 429 || code >= 500;
    }

    /**
     * The server's own words when it answered, else why there was no answer; one line, no stack.
     * An answer that came but could not be read (Jackson refusing a field this operator's model
     * lacks, as when the installed CRD is newer than the operator) says so, rather than "no answer".
     */
    public static String describe(KubernetesClientException e) {
        if (e.getCode() > 0) {
            String words = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage();
            return isTransient(e.getCode()) ? "the API server answered " + e.getCode() + ": " + words : words;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof JsonProcessingException unreadable) {
                return unreadable(unreadable);
            }
            root = root.getCause();
        }
        if (root instanceof JsonProcessingException unreadable) {
            return unreadable(unreadable);
        }
        return "no answer from the API server: " + (root == e ? e.getMessage()
                : root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()));
    }

    private static String unreadable(JsonProcessingException e) {
        return "the API server's answer could not be read by this operator (is an installed CRD newer than the operator?): "
                + e.getOriginalMessage();
    }
}
