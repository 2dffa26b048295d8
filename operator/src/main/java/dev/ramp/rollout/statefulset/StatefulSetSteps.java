package dev.ramp.rollout.statefulset;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StepPlan;
import dev.ramp.rollout.ReleasePlan;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A StatefulSet's release as partitions: at a step of weight {@code w}, {@code w}% of its replicas
 * (rounded half up, at least one pod for a weight above 0, at most all) run the new revision, or
 * at a step counted in pods ({@code stepReplicas}) that many (at most all), the highest ordinals
 * first, so the partition is {@code replicas - pods}. Before the first step and
 * at rest the partition is {@code replicas}: no pod takes a new template until Ramp lowers it.
 */
public final class StatefulSetSteps {

    private static final Set<Phase> HOLDS_A_STEP = Set.of(Phase.Progressing, Phase.WaitingPromotion);

    private StatefulSetSteps() {
    }

    /** The pods on the new revision at a step of {@code weight} percent of {@code replicas}. */
    public static int pods(int replicas, int weight) {
        if (replicas <= 0 || weight <= 0) {
            return 0;
        }
        int pods = (int) Math.floor(replicas * weight / 100.0 + 0.5);
        return Math.min(replicas, Math.max(1, pods));
    }

    /** The partition of a step of {@code weight}: the lowest ordinal that runs the new revision. */
    public static int partition(int replicas, int weight) {
        return replicas - pods(replicas, weight);
    }

    /** The share of the pods (percent, rounded) on the new revision at a partition. */
    public static int share(int replicas, int partition) {
        return replicas <= 0 ? 0 : (int) Math.round(100.0 * (replicas - Math.max(0, partition)) / replicas);
    }

    /**
     * The partition the Rollout's status calls for while it holds a step (Progressing,
     * WaitingPromotion): the recorded step's; {@code replicas} before the first step.
     */
    public static int partition(Rollout rollout, int replicas) {
        RolloutStatus status = rollout.getStatus();
        Integer index = status == null || status.getCurrentStep() == null ? null : status.getCurrentStep().getIndex();
        if (index == null || !HOLDS_A_STEP.contains(status.getPhase())) {
            return replicas;
        }
        return replicas - podsAt(rollout, replicas, index);
    }

    /**
     * The pods on the new revision at step {@code index} (the plan's last if it has shrunk since):
     * its count from {@code stepReplicas}, at most every pod, or its weight's share of them.
     */
    public static int podsAt(Rollout rollout, int replicas, int index) {
        Optional<List<Integer>> counts = StepPlan.pods(rollout.getSpec().getAnalysis());
        if (counts.isPresent()) {
            return Math.max(0, Math.min(replicas, counts.get().get(Math.min(index, counts.get().size() - 1))));
        }
        List<ReleasePlan.Step> plan = ReleasePlan.of(rollout, replicas);
        return pods(replicas, plan.get(Math.min(index, plan.size() - 1)).routing().weights().canary());
    }
}
