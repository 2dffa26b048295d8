package dev.ramp.kube;

import dev.ramp.egress.Redaction;

/**
 * The one bound on what Ramp writes as a condition's or an Event's message: at most
 * {@value #MAX_LENGTH} characters, cut before any URL in it is redacted ({@link Redaction#shortened}).
 * A message may quote a Git server's error or a remote's answer, and neither may flood status,
 * Events or the API server.
 */
public final class Messages {

    /** The most characters of a condition's or an Event's message. */
    public static final int MAX_LENGTH = 1024;

    private Messages() {
    }

    /** The message cut to {@value #MAX_LENGTH} characters (with {@code …} when it was longer) and redacted. */
    public static String bounded(String message) {
        return Redaction.shortened(message, MAX_LENGTH);
    }
}
