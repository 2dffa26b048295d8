package dev.ramp.cli;

/**
 * The exit codes of {@code ramp}, for scripts; docs/cli.md lists them. Picocli reports usage
 * errors with {@link #USAGE} too.
 */
public final class ExitCodes {

    /** The command did what was asked; {@code watch}: the release succeeded. */
    public static final int OK = 0;
    /** {@code watch}: the release failed (phase Failed). */
    public static final int RELEASE_FAILED = 1;
    /** A usage error, an unusable kubeconfig, an unreachable cluster, or an error from the API server. */
    public static final int USAGE = 2;
    /** Gave up waiting: an action Ramp did not acknowledge in time, or {@code watch --timeout}. */
    public static final int TIMED_OUT = 3;
    /** Nothing to act on: the Rollout does not exist, or its phase does not allow the command. */
    public static final int REFUSED = 4;

    private ExitCodes() {
    }
}
