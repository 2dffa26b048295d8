package dev.ramp.rollout.statefulset;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.Timestamps;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Promotes a StatefulSet's release: partition 0, so the controller moves the remaining ordinals
 * (highest first) to the revision; once every pod runs it as the controller's current revision and
 * is ready, the partition goes back to the replica count (at rest) and the release has succeeded.
 * Behind a router, the route gives the canary's Service (the release's revision) everything
 * before the partition moves the primary's last pods; once every pod is on the revision, the
 * revision is recorded as promoted, so the primary's Service selects it (Finalising), and only
 * {@link #ENDPOINTS} later does the route return to the primary: its Service never gets traffic
 * before its selector has found the pods. A revision that changed meanwhile restarts the release
 * ({@code NewRevisionGuard}).
 */
public class StatefulSetPromotingPhase implements PhaseHandler {

    /** How long the primary's Service has to follow its new selector before the route returns to it. */
    public static final Duration ENDPOINTS = StatefulSetRouting.ENDPOINTS;

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Promoting, Phase.Finalising);
    }

    @Override
    public Next handle(RolloutContext context) {
        RolloutStatus status = context.status();
        StatefulSetProgress progress = StatefulSetProgress.of(context.statefulSet().orElseThrow());
        String revision = status.getLastAppliedRevision();
        boolean routed = StatefulSetRouting.routed(context.rollout());
        if (status.getPhase() == Phase.Finalising) {
            Optional<Duration> left = Timestamps.parse(status.getPhaseSince()).map(since -> ENDPOINTS.minus(Duration.between(since,
                    context.now()))).filter(d -> !d.isNegative() && !d.isZero());
            if (left.isPresent()) {
                return Next.after(left.get());
            }
            return succeeded(context, progress, revision);
        }
        if (!progress.allOn(revision)) {
            // Written before the partition: behind a router the route has left the primary before its last pods move.
            status.setCanaryWeight(StatefulSetSteps.share(progress.replicas(), 0));
            context.effect(new Effect.Partition(0));
            return Next.after(Duration.ofSeconds(2));
        }
        // Every pod runs the revision: raising the partition moves none, and a template Git applies next moves none either.
        context.effect(new Effect.Partition(progress.replicas()));
        status.setLastPromotedRevision(revision);
        if (status.getLastAppliedCommit() != null) {
            status.setLastPromotedCommit(status.getLastAppliedCommit());
        }
        if (!routed) {
            return succeeded(context, progress, revision);
        }
        // The primary's Service now selects the revision; the canary's keeps everything until it has its pods.
        Transitions.to(context, Phase.Finalising);
        return Next.after(ENDPOINTS);
    }

    private static Next succeeded(RolloutContext context, StatefulSetProgress progress, String revision) {
        RolloutStatus status = context.status();
        context.effect(new Effect.Partition(progress.replicas()));
        status.setCanaryWeight(0);
        status.setCurrentStep(null);
        Transitions.to(context, Phase.Succeeded);
        Transitions.setCondition(context, RolloutConditions.PROMOTED, Conditions.TRUE, "Succeeded", "revision " + revision + " promoted");
        context.normal("Promoted", "Revision " + revision + " promoted: every pod of StatefulSet "
                + context.targetObject().getMetadata().getName() + " runs it; partition back at " + progress.replicas()
                + (StatefulSetRouting.routed(context.rollout()) ? "; the route sends everything to Service "
                        + RolloutNames.of(context.rollout()).primaryService() + ", which selects it" : ""));
        Transitions.finished(context, "succeeded");
        return Next.onChange();
    }
}
