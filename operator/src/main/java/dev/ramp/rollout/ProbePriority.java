package dev.ramp.rollout;

import dev.ramp.api.RolloutStatus;
import dev.ramp.api.WebhookSpec;
import dev.ramp.work.Priority;

/**
 * Which of a Rollout's calls outside the cluster a rollback may be waiting for, so that they go
 * ahead of routine calls in the namespace's line on {@code OutsideWork} (docs/scale.md,
 * "Priorities"). Decided from status alone, the operator's only memory, so a restarted operator
 * decides the same. Urgent:
 * <ul>
 * <li>the questions of a round (the metric checks, the round's hooks) of a release that has a
 * failed check counted ({@code status.failedChecks} above 0): its next failure may be the one that
 * rolls it back, and the round ends only when all its questions are answered;</li>
 * <li>a rollback hook, whose 2xx rolls the release back at once;</li>
 * <li>the Git revert of a rolled-back release.</li>
 * </ul>
 * Everything else is routine: the checks of a canary with no failure counted, the gates before
 * traffic and promotion, post-rollout notifications (told after the fact), GitSource syncs.
 */
public final class ProbePriority {

    private ProbePriority() {
    }

    /** The round's metric checks, and every question of the round but a rollback hook. */
    public static Priority round(RolloutStatus status) {
        return status != null && status.getFailedChecks() != null && status.getFailedChecks() > 0
                ? Priority.URGENT : Priority.ROUTINE;
    }

    /** A hook of {@code type} asked in a round. */
    public static Priority hook(RolloutStatus status, WebhookSpec.Type type) {
        return type == WebhookSpec.Type.Rollback ? Priority.URGENT : round(status);
    }

    /** The Git revert after a rollback: the rollback is not over in Git until it is pushed. */
    public static Priority revert() {
        return Priority.URGENT;
    }
}
