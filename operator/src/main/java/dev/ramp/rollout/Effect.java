package dev.ramp.rollout;

import java.time.Duration;

/**
 * A change to the world that a phase decided on, carried out by {@link Effects} only after the
 * status that records the decision has been written (except {@link RouteToPrimary}): a decision that loses its status write
 * changes nothing, and one that must not repeat (telling the post-rollout hooks) is recorded
 * before it happens. Each is idempotent: carried out twice, it leaves the world as once.
 */
public sealed interface Effect {

    /** Run the target as the canary of {@code revision}: the primary's size, its pods labelled with the revision. */
    record ScaleUpCanary(String revision) implements Effect {
    }

    /**
     * Send all traffic to the primary now. The one effect carried out before the status write:
     * taking traffic off a canary being rolled back never waits, so a status that says Failed
     * never describes a mesh still sending the canary a share. Were the write lost, the next pass
     * resumes from the recorded step and routing follows it again.
     */
    record RouteToPrimary() implements Effect {
    }

    /**
     * Run the baseline ({@code analysis.baseline}): the primary's template, which must be of
     * {@code promoted} (else nothing is applied), as {@code <target>-baseline} at the canary's size.
     */
    record RunBaseline(String promoted) implements Effect {
    }

    /** Delete the baseline Deployment and its Service: the release ended and the route has left them. */
    record DeleteBaseline() implements Effect {
    }

    /** Scale the target to 0: it runs only during a release. */
    record ScaleDownCanary() implements Effect {
    }

    /** Give the primary the target's template, which must hash to {@code revision} (else nothing is applied). */
    record ApplyPrimary(String revision) implements Effect {
    }

    /** Tell the post-rollout hooks that the release ended; a refusal is only reported. */
    record NotifyPostRollout() implements Effect {
    }

    /** A release ended ({@code succeeded}, {@code failed}) after {@code took}: measured. */
    record ReleaseFinished(String outcome, Duration took) implements Effect {
    }

    /** Set a StatefulSet target's partition: pods of the ordinals from it up take its template (docs/statefulsets.md). */
    record Partition(int partition) implements Effect {
    }

    /** Write back a StatefulSet target's pod template of {@code revision} (its ControllerRevision): a rollback. */
    record RestoreTemplate(String revision) implements Effect {
    }

    /**
     * Delete the pods of a StatefulSet target that run {@code revision} and are not ready: once the
     * promoted template is back, its controller would wait for them forever rather than replace them.
     * Their volume claims are kept.
     */
    record DeleteUnreadyPods(String revision) implements Effect {
    }
}
