package dev.ramp.cli.command;

import dev.ramp.cli.ReleaseView;
import dev.ramp.cli.Rollouts;
import dev.ramp.api.TemplateHash;
import java.io.PrintWriter;

/**
 * Whether an idle Rollout is about to release: its target's pod template hashes to a revision
 * that status has not recorded yet, so Ramp will start a release on its next look.
 */
final class PendingRelease {

    private String announced;

    boolean waiting(Rollouts rollouts, ReleaseView view, PrintWriter out) {
        String revision = rollouts.target(view.rollout())
                .filter(d -> d.getSpec() != null && d.getSpec().getTemplate() != null)
                .map(d -> TemplateHash.of(d.getSpec().getTemplate()))
                .orElse(null);
        var status = view.status();
        if (revision == null || revision.equals(status.getLastAppliedRevision())
                || revision.equals(status.getLastPromotedRevision())) {
            return false;
        }
        if (!revision.equals(announced)) {
            out.println("waiting for Ramp to start releasing revision " + revision);
            out.flush();
            announced = revision;
        }
        return true;
    }
}
