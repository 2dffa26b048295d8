package dev.ramp.routing;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import java.util.Optional;

/**
 * A weight as pods, for a Rollout without a mesh ({@code service.provider: None}): kube-proxy
 * spreads the Service's connections over its ready pods, so the canary's share of the traffic is
 * its share of the pods. The primary keeps its size (a rollback then loses no capacity); the
 * canary gets the count whose share is nearest the weight, at least one pod for any weight above
 * 0 and at most the surge the target allows ({@code strategy.rollingUpdate.maxSurge}, of the
 * primary's size, rounded up as Kubernetes rounds it). Pure arithmetic.
 */
public record ReplicaSplit(int primary, int canary) {

    /** Kubernetes' maxSurge of a Deployment that sets none. */
    public static final String DEFAULT_MAX_SURGE = "25%";

    /**
     * The split nearest {@code weight} percent beside a primary of {@code primary} pods, with at
     * most {@code maxSurge} canary pods ({@code maxSurge} at least 1); a tie goes to fewer pods.
     * A weight of 100 or more asks the most the surge allows: the primary keeps its pods.
     */
    public static ReplicaSplit of(int weight, int primary, int maxSurge) {
        int pods = Math.max(primary, 1);
        if (weight <= 0) {
            return new ReplicaSplit(pods, 0);
        }
        int cap = Math.max(maxSurge, 1);
        if (weight >= 100) {
            return new ReplicaSplit(pods, cap);
        }
        // c / (c + p) = w / 100  <=>  c = w p / (100 - w)
        double ideal = (double) weight * pods / (100 - weight);
        int lower = clamp((int) Math.floor(ideal), cap);
        int upper = clamp((int) Math.ceil(ideal), cap);
        double target = weight / 100.0;
        return new ReplicaSplit(pods, Math.abs(share(upper, pods) - target) < Math.abs(share(lower, pods) - target) ? upper : lower);
    }

    /** The canary's share of the pods in percent, rounded: the weight this split achieves. */
    public int weight() {
        return (int) Math.round(100 * share(canary, primary));
    }

    /**
     * How many pods the target's {@code strategy.rollingUpdate.maxSurge} allows above a primary
     * of {@code primary} pods: a count, or a percentage rounded up; {@value #DEFAULT_MAX_SURGE} when
     * unset. Empty for a target that allows none: {@code maxSurge: 0}, or the Recreate strategy,
     * which never runs two versions at once.
     */
    public static Optional<Integer> maxSurge(Deployment target, int primary) {
        DeploymentStrategy strategy = target.getSpec().getStrategy();
        if (strategy != null && "Recreate".equals(strategy.getType())) {
            return Optional.empty();
        }
        IntOrString surge = strategy == null || strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getMaxSurge() == null
                ? new IntOrString(DEFAULT_MAX_SURGE) : strategy.getRollingUpdate().getMaxSurge();
        int pods;
        if (surge.getIntVal() != null) {
            pods = surge.getIntVal();
        } else {
            String text = surge.getStrVal().trim();
            if (!text.matches("\\d{1,9}%")) {
                return Optional.empty();
            }
            pods = (int) Math.ceil(Long.parseLong(text.substring(0, text.length() - 1)) * Math.max(primary, 1) / 100.0);
        }
        return pods > 0 ? Optional.of(pods) : Optional.empty();
    }

    private static int clamp(int canary, int cap) {
        return Math.min(Math.max(canary, 1), cap);
    }

    private static double share(int canary, int primary) {
        return canary + primary == 0 ? 0 : (double) canary / (canary + primary);
    }
}
