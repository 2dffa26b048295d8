package dev.ramp.cli.command;

import dev.ramp.cli.ReleaseView;
import dev.ramp.cli.Rollouts;
import java.io.PrintWriter;

/**
 * Whether an idle Rollout is about to release: its target declares a revision (a Deployment's pod
 * template hash, a StatefulSet's update revision) that status has not recorded yet, so Ramp will
 * start a release on its next look.
 */
final class PendingRelease {

    private String announced;

    boolean waiting(Rollouts rollouts, ReleaseView view, PrintWriter out) {
        String revision = rollouts.target(view.rollout()).map(Rollouts.Target::revision).orElse(null);
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
