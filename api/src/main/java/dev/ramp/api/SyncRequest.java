package dev.ramp.api;

/**
 * A request to sync a GitSource now rather than at its next interval, recorded on the GitSource
 * as the annotation {@value #ANNOTATION} (a push webhook writes the time it arrived). Whichever
 * replica received the push writes it; the leader syncs when the value changes and records the
 * value in {@code status.lastHandledSyncRequest}, so a request is acted on once.
 */
public final class SyncRequest {

    public static final String ANNOTATION = "ramp.dev/sync-requested";

    private SyncRequest() {
    }

    /** The request recorded on a GitSource, or null when there is none. */
    public static String of(GitSource source) {
        var annotations = source.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(ANNOTATION);
    }
}
