package dev.ramp.rollout.statefulset;

import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingProvider;
import java.time.Duration;

/**
 * A StatefulSet's share of the traffic behind a router (Istio, Gateway API), which the route gives
 * the Service of the release's revision, {@code <service>-canary}, as {@code status.canaryWeight}.
 * No side is given a share before its pods are ready, and none keeps one while its last pods move:
 * a step's weight reaches the route only {@link #ENDPOINTS} after the step's ordinals run the revision, ready, and a
 * step or promotion that moves the primary's last pods (partition 0) first gives the canary
 * everything. Pure arithmetic.
 */
public final class StatefulSetRouting {

    /**
     * How long a data plane may take to learn a Service's endpoints once its selector finds ready
     * pods (Traefik applies a change at most every 2 s): a side gets requests only this long after its
     * pods were seen ready, or its Service was given a new selector.
     */
    public static final Duration ENDPOINTS = Duration.ofSeconds(3);

    private StatefulSetRouting() {
    }

    /** Whether a router carries the split (else the partition alone does: provider None). */
    public static boolean routed(Rollout rollout) {
        return rollout.getSpec().getService().effectiveProvider() != RoutingProvider.None;
    }

    /**
     * The canary's share once a step of {@code weight} holds with its pods ready at {@code partition}:
     * the weight, or all of it when no pod is left on the promoted revision.
     */
    public static int ready(int partition, int weight) {
        return partition <= 0 ? 100 : weight;
    }

    /**
     * The canary's share when a step whose partition is {@code partition} is recorded, before its
     * pods move: the share it had ({@code now}), or all of it when the step moves the primary's last
     * pods and the canary has ready pods (a share) to take it; a first step that moves every pod (a
     * StatefulSet of one) has no such pods, and its route follows once they are ready.
     */
    public static int beforeMove(int partition, int now) {
        return partition <= 0 && now > 0 ? 100 : now;
    }
}
