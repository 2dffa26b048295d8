package dev.ramp.api;

/**
 * Manual actions on a Rollout, requested through the annotation {@value #ANNOTATION} with the
 * value {@code <verb>/<id>} (the id makes each request unique, e.g. a timestamp). Ramp carries
 * out a request once and records it in {@code status.lastAction}, so it survives restarts and
 * is never repeated. Pausing is not an action but a state: {@code spec.paused}.
 */
public final class RolloutActions {

    public static final String ANNOTATION = "ramp.dev/action";
    /** Skip the remaining steps and checks of the running release and promote it now. */
    public static final String PROMOTE = "promote";
    /** Roll the running release back now (and revert it in Git when gitRevert is enabled). */
    public static final String ABORT = "abort";
    /** Release the failed revision again, without a change to the target's template. */
    public static final String RETRY = "retry";

    private RolloutActions() {
    }

    /** The verb of an annotation value {@code verb/id}, or null when it is malformed. */
    public static String verb(String value) {
        if (value == null) {
            return null;
        }
        int slash = value.indexOf('/');
        return slash <= 0 ? null : value.substring(0, slash);
    }
}
