package dev.ramp.routing;

import dev.ramp.api.Rollout;

/** Splits a Rollout's traffic between its primary and its canary; one implementation per mesh. */
public interface TrafficRouter {

    /**
     * Makes the mesh's objects for the Rollout what {@code routing} (derived from its spec and
     * status) says they should be: creates what is missing, repairs what was edited or deleted,
     * and writes nothing when they already are.
     */
    void reconcile(Rollout rollout, Routing routing);

    /** Routes traffic as {@code routing} says: weights, match routes to the canary, mirroring. */
    void route(Rollout rollout, Routing routing);

    /** Sends traffic to primary and canary in the given proportions, nothing else. */
    default void route(Rollout rollout, Weights weights) {
        route(rollout, Routing.of(weights));
    }
}
