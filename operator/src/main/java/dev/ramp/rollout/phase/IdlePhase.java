package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.rollout.Baseline;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Between releases (Initialized, Succeeded; Failed through {@link FailedPhase}): waits for a new
 * revision of the target. A template equal to the promoted one (a rollback landing, e.g. Ramp's
 * own revert from Git) starts nothing and keeps the primary on it: a deleted primary is
 * re-created and an edited one put back. One equal to the last failed revision is not retried.
 * The canary is scaled to 0 here, and a baseline deleted with its Service, once {@link #CANARY_DRAIN}
 * has passed since the phase began.
 */
public class IdlePhase implements PhaseHandler {

    /**
     * How long the canary's pods outlive the pass that routed all traffic away from them (a
     * promotion, a rollback, a cancelled release). A data plane applies a route some time after it
     * is written (Traefik up to 2 s after its previous change, more on a busy machine; a mesh's
     * sidecars each on their own), and what it still sends the canary meanwhile must find pods to
     * answer it rather than fail.
     */
    public static final Duration CANARY_DRAIN = Duration.ofSeconds(5);

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Initialized, Phase.Succeeded);
    }

    @Override
    public Next handle(RolloutContext context) {
        boolean notified = Transitions.notifyPostRollout(context);
        RolloutStatus status = context.status();
        String revision = context.targetRevision();
        if (revision.equals(status.getLastPromotedRevision()) || revision.equals(status.getLastAppliedRevision())) {
            if (revision.equals(status.getLastPromotedRevision())) {
                status.setLastAppliedRevision(revision);
                // The target declares the promoted template: the primary is made to run it again
                // (nothing is written when it already does).
                context.effect(new Effect.ApplyPrimary(revision));
            }
            Optional<Duration> draining = drainLeft(context);
            if (draining.isPresent()) {
                return Next.after(draining.get());
            }
            // The target only runs during a release; a sync that scaled it up again is undone.
            context.effect(new Effect.ScaleDownCanary());
            Baseline.remove(context);
            return Next.onChange();
        }
        if (notified) {
            // The hooks hear of the release that ended before a new one replaces it in status.
            return Next.after(Duration.ofMillis(100));
        }
        Transitions.startRelease(context, revision);
        return Next.after(Duration.ofSeconds(1));
    }

    /** The time left before the canary may be scaled down: {@link #CANARY_DRAIN} from the phase's start. */
    private static Optional<Duration> drainLeft(RolloutContext context) {
        Optional<Instant> since = Timestamps.parse(context.status().getPhaseSince());
        Duration left = since.map(s -> Duration.between(context.now(), s.plus(CANARY_DRAIN))).orElse(Duration.ZERO);
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }
}
