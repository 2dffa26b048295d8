package dev.ramp.cli.command;

import dev.ramp.api.RolloutConditions;
import dev.ramp.cli.ReleaseView;
import io.fabric8.kubernetes.api.model.Condition;

/** Why the last release failed, in Ramp's words: the Promoted condition's message. */
final class FailureReason {

    private FailureReason() {
    }

    static String of(ReleaseView view) {
        var conditions = view.status().getConditions();
        if (conditions != null) {
            for (Condition c : conditions) {
                if (RolloutConditions.PROMOTED.equals(c.getType()) && "False".equals(c.getStatus()) && c.getMessage() != null) {
                    return c.getReason() == null ? c.getMessage() : c.getReason() + ": " + c.getMessage();
                }
            }
        }
        return "rolled back";
    }
}
