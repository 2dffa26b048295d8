package dev.ramp.routing;

import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Splits a Rollout's traffic between its primary and its canary; one implementation per mesh. */
public interface TrafficRouter {

    /** Creates or repairs the routing objects, keeping the current weights. */
    void reconcile(Rollout rollout, Deployment target);

    /** The split the mesh is configured with now. */
    Weights weights(Rollout rollout);

    /** Routes traffic as {@code routing} says: weights, match routes to the canary, mirroring. */
    void route(Rollout rollout, Routing routing);

    /** Sends traffic to primary and canary in the given proportions, nothing else. */
    default void route(Rollout rollout, Weights weights) {
        route(rollout, Routing.of(weights));
    }
}
