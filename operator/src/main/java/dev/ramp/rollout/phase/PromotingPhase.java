package dev.ramp.rollout.phase;

import dev.ramp.api.Phase;
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
 * moves to Finalising, whose routing sends all traffic to the primary. Until then the canary keeps its share. The template
 * reaches the primary only while the target still hashes to the analysed revision; once the
 * primary carries it, the target is no longer read, so a later commit cannot slip in unanalysed.
 */
public class PromotingPhase implements PhaseHandler {

    private final Workloads workloads;
    private final Transitions transitions;

    public PromotingPhase(Workloads workloads, Transitions transitions) {
        this.workloads = workloads;
        this.transitions = transitions;
    }

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Promoting);
    }

    @Override
    public Next handle(RolloutContext context) {
        String revision = context.status().getLastAppliedRevision();
        Deployment primary = workloads.primary(context.rollout()).orElse(null);
        boolean runsRevision = primary != null && revision.equals(Workloads.revisionOf(primary));
        if (!runsRevision) {
            // NewRevisionGuard restarts the release when the target moved on; here it still hashes to the revision.
            workloads.applyPrimary(context.rollout(), context.target(), revision);
            return Next.after(Duration.ofSeconds(1));
        }
        if (!Workloads.isReady(primary)) {
            return Next.after(Duration.ofSeconds(2));
        }
        // Finalising holds no step: GeneratedObjects routes everything to the primary once this is written.
        context.status().setCanaryWeight(0);
        transitions.to(context, Phase.Finalising);
        return Next.after(Duration.ofMillis(100));
    }
}
