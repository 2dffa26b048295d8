package dev.ramp.rollout.statefulset;

import dev.ramp.api.RolloutNames;
import dev.ramp.api.StepStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.CanaryStall;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.ReleaseChecks;
import dev.ramp.rollout.ReleaseGates;
import dev.ramp.rollout.ReleasePlan;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.StepClock;
import dev.ramp.rollout.Transitions;
import dev.ramp.rollout.phase.ProgressingPhase;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A StatefulSet's release, step by step: the gates and checks of any canary
 * ({@link ProgressingPhase}), with the canary's share of the pods set by the partition
 * ({@link StatefulSetSteps}) rather than by a second Deployment, and behind a router the route's
 * weight following once the step's pods are ready ({@link StatefulSetRouting}). Each step's checks wait until
 * the controller has moved the ordinals from the step's partition up to the release's revision and
 * every pod is ready; a step not there by the progress deadline rolls the release back.
 */
public class StatefulSetProgressingPhase extends ProgressingPhase {

    public StatefulSetProgressingPhase(ReleaseChecks checks, ReleaseGates gates) {
        super(checks, gates);
    }

    @Override
    protected List<ReleasePlan.Step> plan(RolloutContext context) {
        return ReleasePlan.of(context.rollout(), StatefulSetProgress.of(context.statefulSet().orElseThrow()).replicas());
    }

    @Override
    protected boolean canaryReady(RolloutContext context) {
        StatefulSetProgress progress = StatefulSetProgress.of(context.statefulSet().orElseThrow());
        int partition = StatefulSetSteps.partition(context.rollout(), progress.replicas());
        // Every pass, not once: a partition lost to a conflict or changed by someone is set again.
        context.effect(new Effect.Partition(partition));
        boolean ready = progress.stepReady(partition, context.status().getLastAppliedRevision());
        StepStatus step = context.status().getCurrentStep();
        if (!ready || !StatefulSetRouting.routed(context.rollout()) || step == null || step.getIndex() == null) {
            return ready;
        }
        // Behind a router the step's pods take requests only once the data plane knows their endpoints:
        // a weight routed sooner would send its share to a Service with none (Traefik answers 503).
        if (step.getReadySince() == null) {
            step.setReadySince(Timestamps.format(context.now()));
        }
        return Timestamps.parse(step.getReadySince())
                .map(since -> !context.now().isBefore(since.plus(StatefulSetRouting.ENDPOINTS))).orElse(true);
    }

    /** The step's pods are ready (checked first): behind a router, the route now gives the canary the step's weight. */
    @Override
    protected void refreshWeight(RolloutContext context, ReleasePlan.Step step) {
        int replicas = StatefulSetProgress.of(context.statefulSet().orElseThrow()).replicas();
        int partition = StatefulSetSteps.partition(context.rollout(), replicas);
        if (!StatefulSetRouting.routed(context.rollout())) {
            context.status().setCanaryWeight(StatefulSetSteps.share(replicas, partition));
            return;
        }
        int weight = StatefulSetRouting.ready(partition, step.routing().weights().canary());
        if (!Integer.valueOf(weight).equals(context.status().getCanaryWeight())) {
            // The step's traffic starts now: its hold counts from here, not from when its pods began to move.
            context.status().setCanaryWeight(weight);
            context.status().getCurrentStep().setStartedAt(Timestamps.format(context.now()));
        }
    }

    /**
     * A step recorded: the partition lowered. Without a router the share is the pods'; behind one the
     * route keeps the share it had until the step's pods are ready ({@link #refreshWeight}), except
     * that a step moving the primary's last pods gives the canary everything first (the route is
     * written before the partition).
     */
    @Override
    protected void stepRecorded(RolloutContext context, ReleasePlan.Step next) {
        int replicas = StatefulSetProgress.of(context.statefulSet().orElseThrow()).replicas();
        // The step is recorded in status by now: its partition is the status' own.
        int partition = StatefulSetSteps.partition(context.rollout(), replicas);
        context.effect(new Effect.Partition(partition));
        int pods = replicas - partition;
        String description = next.description() + " (StatefulSet: partition " + partition + ", " + pods + " of " + replicas
                + (pods == 1 ? " pod" : " pods") + " on revision " + context.status().getLastAppliedRevision() + ", ";
        if (StatefulSetRouting.routed(context.rollout())) {
            int now = context.status().getCanaryWeight() == null ? 0 : context.status().getCanaryWeight();
            context.status().setCanaryWeight(StatefulSetRouting.beforeMove(partition, now));
            description += "the route gives Service " + RolloutNames.of(context.rollout()).canaryService() + " "
                    + StatefulSetRouting.ready(partition, next.routing().weights().canary()) + "% once they are ready)";
        } else {
            context.status().setCanaryWeight(StatefulSetSteps.share(replicas, partition));
            description += StatefulSetSteps.share(replicas, partition) + "% of the traffic)";
        }
        context.normal("StepAdvanced", Character.toUpperCase(description.charAt(0)) + description.substring(1));
    }

    @Override
    protected Next canaryNotReady(RolloutContext context, AnalysisSettings settings) {
        Optional<Duration> left = new StepClock(settings, context.status(), context.now()).untilReadinessDeadline();
        if (left.isPresent()) {
            return Next.after(left.get().compareTo(Duration.ofSeconds(2)) < 0 ? left.get() : Duration.ofSeconds(2));
        }
        StatefulSet set = context.statefulSet().orElseThrow();
        StatefulSetProgress progress = StatefulSetProgress.of(set);
        String revision = context.status().getLastAppliedRevision();
        // As for a Deployment's canary, the step's Pods say whether Git is reverted: a crash is the
        // commit's fault, an image the registry did not serve or a full cluster is not.
        CanaryStall stall = CanaryStall.ofStatefulSet(set, revision, context.pods(), "partition " + progress.partition()
                + ", " + progress.updatedReplicas() + " of " + progress.replicas() + " pods on the revision, "
                + progress.readyReplicas() + " ready");
        Transitions.rollback(context, stall.reason(), "StatefulSet " + context.targetObject().getMetadata().getName()
                + " not ready on revision " + revision + " within " + settings.progressDeadline().toSeconds() + "s: "
                + stall.detail());
        return Next.onChange();
    }
}
