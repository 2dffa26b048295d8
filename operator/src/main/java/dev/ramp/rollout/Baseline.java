package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.kube.Managed;

/**
 * The decisions about a release's baseline ({@code analysis.baseline}; docs/judge.md#a-baseline):
 * the Deployment {@code <target>-baseline} running the promoted revision (the primary's template)
 * at the canary's size, given the canary's share of the traffic at each step, so that the judge
 * compares the canary with pods as new, warm and loaded as its own. It runs while the release
 * holds a step and is deleted, with its Service, once the route has left it ({@link #remove}).
 * No I/O: the effects carry the decisions out ({@link Workloads#runBaseline}, {@link Workloads#deleteBaseline}).
 */
public final class Baseline {

    private Baseline() {
    }

    /** Whether the Rollout's releases run a baseline ({@link RolloutSpec#runsBaseline}). */
    public static boolean wanted(Rollout rollout) {
        return RolloutSpec.runsBaseline(rollout.getSpec());
    }

    /**
     * Decides that the baseline runs (when the Rollout wants one) and tells whether it is ready:
     * running the promoted revision, every pod ready. True without a baseline, so a step waits for
     * the baseline exactly as it waits for the canary.
     */
    public static boolean run(RolloutContext context) {
        if (!wanted(context.rollout())) {
            return true;
        }
        String promoted = context.status().getLastPromotedRevision();
        // Every pass, as the canary's scale-up: a baseline deleted or edited by someone is made again.
        context.effect(new Effect.RunBaseline(promoted));
        return ready(context);
    }

    /** Whether the canary is ready but the baseline is not: what a step then waits for is the baseline. */
    public static boolean holdsTheStep(RolloutContext context) {
        return wanted(context.rollout()) && Workloads.runs(context.target(), context.status().getLastAppliedRevision())
                && !ready(context);
    }

    /** The baseline runs the promoted revision at the canary's size, every pod ready. */
    private static boolean ready(RolloutContext context) {
        String promoted = context.status().getLastPromotedRevision();
        int size = ReplicaCounts.baseline(context.rollout(), context.target(), context.primary());
        return context.baseline().map(b -> Workloads.isReady(b) && promoted != null && promoted.equals(Workloads.revisionOf(b))
                && b.getSpec().getReplicas() != null && b.getSpec().getReplicas() == size).orElse(false);
    }

    /**
     * Decides the baseline's removal, with its Service, when Ramp's baseline is still there: called
     * where the canary is scaled to 0, once the route has had its drain time to leave both.
     */
    public static void remove(RolloutContext context) {
        if (context.baseline().filter(Managed::isManaged).isPresent()) {
            context.effect(new Effect.DeleteBaseline());
        }
    }
}
