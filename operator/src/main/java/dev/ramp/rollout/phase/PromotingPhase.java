package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.Workloads;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.Set;

/**
 * Copies the analysed pod template into the primary and, once the primary runs it and is ready,
 * moves to Finalising, whose routing sends all traffic to the primary. Until then the canary
 * keeps its share. The template reaches the primary only while the target still hashes to the
 * analysed revision; once the primary carries it, the target is no longer read, so a later
 * commit cannot slip in unanalysed.
 */
public class PromotingPhase implements PhaseHandler {

    public static final String PRIMARY_NOT_READY = "PrimaryNotReady";

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Promoting);
    }

    @Override
    public Next handle(RolloutContext context) {
        String revision = context.status().getLastAppliedRevision();
        Deployment primary = context.primary().orElse(null);
        if (primary == null || !revision.equals(Workloads.revisionOf(primary))) {
            // NewRevisionGuard restarts the release when the target moved on; here it still hashes to the revision.
            context.effect(new Effect.ApplyPrimary(revision));
            return Next.after(Duration.ofSeconds(1));
        }
        if (!Workloads.isReady(primary)) {
            primaryLate(context);
            return Next.after(Duration.ofSeconds(2));
        }
        // Finalising holds no step: GeneratedObjects routes everything to the primary once this is written.
        context.status().setCanaryWeight(0);
        Transitions.to(context, Phase.Finalising);
        return Next.after(Duration.ofMillis(100));
    }

    /**
     * A primary not ready within the progress deadline of the promotion's start is reported once
     * (condition Promoted=Unknown, a Warning Event). The release is not rolled back: the primary
     * already runs the analysed template, and the canary keeps serving its share until it is ready.
     */
    private static void primaryLate(RolloutContext context) {
        RolloutStatus status = context.status();
        Duration deadline = AnalysisSettings.of(context.rollout()).progressDeadline();
        boolean late = Timestamps.parse(status.getPhaseSince())
                .map(since -> Duration.between(since, context.now()).compareTo(deadline) > 0).orElse(false);
        boolean reported = Conditions.find(status.getConditions(), RolloutConditions.PROMOTED)
                .map(c -> PRIMARY_NOT_READY.equals(c.getReason())).orElse(false);
        if (late && !reported) {
            String message = "Deployment " + RolloutNames.of(context.rollout()).primary() + " is not ready with revision "
                    + status.getLastAppliedRevision() + " " + deadline.toSeconds() + "s after the promotion began; the canary"
                    + " keeps its share until it is";
            Transitions.setCondition(context, RolloutConditions.PROMOTED, Conditions.UNKNOWN, PRIMARY_NOT_READY, message);
            context.warning(PRIMARY_NOT_READY, message);
        }
    }
}
