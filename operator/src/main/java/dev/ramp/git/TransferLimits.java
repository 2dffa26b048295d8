package dev.ramp.git;

import java.time.Duration;

/**
 * How long one fetch or push may take, in all, and how many bytes it may receive from the remote
 * (the refs it advertises and the pack, after HTTP decompression). Git's own timeout waits only
 * for the next byte, so a peer sending one byte every 29 s would otherwise hold a fetch forever;
 * and Git puts no bound on a pack a client fetches.
 *
 * @param deadline the whole transfer, connection included
 * @param maxBytes the most bytes read from the remote in one transfer
 */
public record TransferLimits(Duration deadline, long maxBytes) {

    /** The operator setting of {@link #deadline()}. */
    public static final String DEADLINE_SETTING = "ramp.git.fetch-timeout";
    /** The operator setting of {@link #maxBytes()}. */
    public static final String MAX_BYTES_SETTING = "ramp.git.max-fetch-bytes";

    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);
    /** 256 MiB: far above a repository of manifests, well below the chart's 1 GiB scratch volume. */
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
    public static final TransferLimits DEFAULT = new TransferLimits(DEFAULT_DEADLINE, DEFAULT_MAX_BYTES);

    /** Git's wait for the next byte, as before the deadline existed; never longer than the deadline. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    public TransferLimits {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException(DEADLINE_SETTING + " must be positive: " + deadline);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException(MAX_BYTES_SETTING + " must be positive: " + maxBytes);
        }
    }

    /** The idle timeout JGit applies to each read and connection, in whole seconds (at least 1). */
    int idleSeconds() {
        return (int) Math.max(1, Math.min(IDLE_TIMEOUT.toSeconds(), deadline.toSeconds()));
    }
}
