package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.kube.Conditions;
import java.util.Objects;

/** The Ready, Stalled and Drifted conditions of a GitSource, each set in one place. */
public class GitSourceConditions {

    private final Conditions conditions;

    public GitSourceConditions(Conditions conditions) {
        this.conditions = conditions;
    }

    public void applied(GitSource source, String message) {
        set(source, GitSync.READY, Conditions.TRUE, "Synced", message);
        set(source, GitSync.STALLED, Conditions.FALSE, "Synced", message);
    }

    public void stalled(GitSource source, String reason, String message) {
        set(source, GitSync.READY, Conditions.FALSE, reason, message);
        set(source, GitSync.STALLED, Conditions.TRUE, reason, message);
    }

    /**
     * A sync stopped for a reason of the moment (Git or the API server unreachable, busy or in
     * conflict) and will be retried: what was applied stays applied, and Stalled is left as it was,
     * since nothing was decided about the commit.
     */
    public void unavailable(GitSource source, String reason, String message) {
        set(source, GitSync.READY, Conditions.FALSE, reason, message);
    }

    public void suspended(GitSource source) {
        set(source, GitSync.READY, Conditions.FALSE, "Suspended", "spec.suspend is true: nothing is synced");
    }

    public void noDrift(GitSource source) {
        set(source, GitSync.DRIFTED, Conditions.FALSE, "InSync", "the cluster matches Git");
    }

    /** Returns whether this drift is news (differs from what the condition already says). */
    public boolean drifted(GitSource source, String reason, String message) {
        boolean news = Conditions.find(source.getStatus().getConditions(), GitSync.DRIFTED)
                .map(c -> !Objects.equals(c.getMessage(), message) || !Conditions.TRUE.equals(c.getStatus()))
                .orElse(true);
        set(source, GitSync.DRIFTED, Conditions.TRUE, reason, message);
        return news;
    }

    private void set(GitSource source, String type, String status, String reason, String message) {
        source.getStatus().setConditions(Conditions.merge(source.getStatus().getConditions(),
                conditions.of(type, status, reason, message, source.getMetadata().getGeneration())));
    }
}
