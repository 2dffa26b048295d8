package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import dev.ramp.kube.InstalledKinds;
import dev.ramp.routing.RolloutServices;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.routing.RouterKinds;
import dev.ramp.routing.Routing;
import dev.ramp.routing.Weights;
import dev.ramp.routing.TrafficRouter;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The objects Ramp generates for a Rollout besides the primary: its three Services and the mesh's
 * routing. They are desired state derived from the spec and status, applied at every reconcile
 * after the phase has decided, so a deleted Service, DestinationRule or VirtualService comes back
 * and an edited {@code spec.service} reaches them all; nothing is written when they already match.
 * Nothing at all is written for a Rollout whose route the {@link RoutePolicy} refuses (RouteGuard
 * holds it), nor for one whose router is not installed (RouterGuard holds it; the reconciler does
 * not call {@link #apply}): neither a Service nor a route, so nothing is half applied.
 */
public class GeneratedObjects {

    private final RolloutServices services;
    private final TrafficRouter router;
    private final RoutePolicy policy;

    public GeneratedObjects(RolloutServices services, TrafficRouter router, RoutePolicy policy) {
        this.services = services;
        this.router = router;
        this.policy = policy;
    }

    /** Sends all traffic to the primary, whatever the status says (a rollback, before it is written). */
    public void routeToPrimary(Rollout rollout, Collection<? extends HasMetadata> cachedRouting) {
        router.reconcile(rollout, Routing.of(Weights.ALL_PRIMARY), cachedRouting);
    }

    /** The kinds of routing object to watch, besides the Services, once they are installed. */
    public List<Class<? extends HasMetadata>> routingKinds() {
        return router.kinds();
    }

    /** Why the router cannot route in this cluster (its kinds are not installed); empty when it can. */
    public Optional<String> routerNotInstalled(InstalledKinds installed) {
        return RouterKinds.notInstalled(router, installed);
    }

    /**
     * Applies what differs from the live objects: {@code cachedServices} are the Rollout's
     * Services and {@code cachedRouting} its routing objects, as the informers' caches hold them.
     */
    public void apply(Rollout rollout, Deployment target, Collection<Service> cachedServices,
            Collection<? extends HasMetadata> cachedRouting) {
        if (!policy.refusals(rollout).isEmpty()) {
            return;
        }
        services.reconcile(rollout, target, cachedServices);
        router.reconcile(rollout, ReleasePlan.routingOf(rollout), cachedRouting);
    }
}
