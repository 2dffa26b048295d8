package dev.ramp.egress;

/**
 * The operator's egress policy refused every connection for a URL: its message says why (the
 * address and its class, or the denied host name). Nothing was sent. A user's error, reported as
 * {@code EgressDenied} ({@link dev.ramp.api.EgressReasons}), never retried as an outage.
 */
public final class EgressDeniedException extends Exception {

    public EgressDeniedException(String message) {
        super(message, null, false, false);
    }
}
