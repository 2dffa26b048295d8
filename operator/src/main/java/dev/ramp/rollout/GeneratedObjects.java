package dev.ramp.rollout;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.autoscaling.FormerAutoscalers;
import dev.ramp.autoscaling.PrimaryAutoscalers;
import dev.ramp.autoscaling.ScaledObject;
import dev.ramp.kube.InstalledKinds;
import dev.ramp.routing.CachedGatewayClasses;
import dev.ramp.routing.RolloutServices;
import dev.ramp.routing.RouteAcceptance;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.routing.Routers;
import dev.ramp.routing.Routing;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The objects Ramp generates for a Rollout besides the primary: its three Services, the routing
 * of its provider's router (Istio's VirtualService and DestinationRules, or a Gateway API route),
 * and the primary's copy of the target's autoscaler ({@link PrimaryAutoscalers}), with what Ramp made
 * for an autoscaler the Rollout no longer names undone ({@link FormerAutoscalers}).
 * They are desired state derived from the spec and status, applied at every reconcile after the
 * phase has decided, so a deleted Service or route comes back and an edited {@code spec.service}
 * reaches them all; nothing is written when they already match. Nothing at all is written for a
 * Rollout whose route the {@link RoutePolicy} or its router refuses ({@link Routers#refusals};
 * RouteGuard holds it), nor for one whose router is not installed (RouterGuard holds it; the
 * reconciler does not call {@link #apply}): neither a Service nor a route, so nothing is half
 * applied. A route its Gateways have not accepted is written all the same (RouteAcceptanceGuard).
 */
public class GeneratedObjects {

    private final RolloutServices services;
    private final Routers routers;
    private final PrimaryAutoscalers autoscalers;
    private final FormerAutoscalers formerAutoscalers;

    public GeneratedObjects(RolloutServices services, Routers routers, PrimaryAutoscalers autoscalers,
            FormerAutoscalers formerAutoscalers) {
        this.services = services;
        this.routers = routers;
        this.autoscalers = autoscalers;
        this.formerAutoscalers = formerAutoscalers;
    }

    /**
     * Sends all traffic to the primary, whatever the status says (a rollback, before it is
     * written): the route, and the Service that carries the split without a mesh (provider None).
     */
    public void routeToPrimary(Rollout rollout, Deployment target, Collection<Service> cachedServices,
            Collection<? extends HasMetadata> cachedRouting) {
        services.reconcile(rollout, target, cachedServices, Routing.ALL_PRIMARY);
        routers.of(rollout).reconcile(rollout, Routing.ALL_PRIMARY, cachedRouting);
    }

    /**
     * A StatefulSet target behind a router (docs/statefulsets.md): its two Services, one per
     * revision (the promoted and the release's, from status), and the route as the status says
     * ({@link ReleasePlan#routingOf}); {@code toPrimary}: everything to the primary whatever the
     * status says (a rollback, before it is written). Nothing for a route the policy or the router
     * refuses.
     */
    public void applyStatefulSet(Rollout rollout, StatefulSet target, Collection<Service> cachedServices,
            Collection<? extends HasMetadata> cachedRouting, boolean toPrimary) {
        RolloutStatus status = rollout.getStatus();
        // Before Initializing records it, the promoted revision is the one the controller calls current:
        // the route must exist for its Gateways to accept it before the Rollout goes on.
        String promoted = status != null && status.getLastPromotedRevision() != null ? status.getLastPromotedRevision()
                : target.getStatus() == null ? null
                : target.getStatus().getCurrentRevision() != null ? target.getStatus().getCurrentRevision()
                : target.getStatus().getUpdateRevision();
        if (promoted == null || !routers.refusals(rollout, null).isEmpty()) {
            return;
        }
        String release = status == null || status.getLastAppliedRevision() == null ? promoted : status.getLastAppliedRevision();
        services.reconcile(rollout, target, promoted, release, cachedServices);
        routers.of(rollout).reconcile(rollout, toPrimary ? Routing.ALL_PRIMARY : ReleasePlan.routingOf(rollout), cachedRouting);
    }

    /** The kinds of routing object to watch (every router's), besides the Services, once they are installed. */
    public List<Class<? extends HasMetadata>> routingKinds() {
        return routers.kinds();
    }

    /** The cached Gateways and GatewayClasses the Gateway API router decides a mirror by, for the informers to fill. */
    public CachedGatewayClasses gatewayClasses() {
        return routers.gatewayClasses();
    }

    /** Why the Rollout's router cannot route in this cluster (its kinds are not installed); empty when it can. */
    public Optional<String> routerNotInstalled(Rollout rollout, InstalledKinds installed) {
        return routers.notInstalled(rollout, installed);
    }

    /** What the Gateways of the Rollout's route report of it, from {@code cachedRouting}; empty for Istio. */
    public Optional<RouteAcceptance> routeAcceptance(Rollout rollout, Collection<? extends HasMetadata> cachedRouting) {
        return routers.of(rollout).acceptance(rollout, cachedRouting);
    }

    /**
     * Applies what differs from the live objects: {@code cachedServices} are the Rollout's
     * Services, {@code cachedRouting} its routing objects, {@code cachedHpas} the HPAs of its
     * namespace (the target's, the primary's copy, and copies of one it named before),
     * {@code cachedScaledObjects} the ScaledObjects of its namespace (empty when KEDA's CRD is not
     * installed), as the informers' caches hold them.
     */
    public void apply(Rollout rollout, Deployment target, Collection<Service> cachedServices,
            Collection<? extends HasMetadata> cachedRouting, Collection<HorizontalPodAutoscaler> cachedHpas,
            Optional<List<ScaledObject>> cachedScaledObjects) {
        if (!routers.refusals(rollout, target).isEmpty()) {
            return;
        }
        Routing routing = ReleasePlan.routingOf(rollout);
        services.reconcile(rollout, target, cachedServices, routing);
        routers.of(rollout).reconcile(rollout, routing, cachedRouting);
        // The former copy goes before the new one comes, so that no two HPAs scale the primary at once.
        formerAutoscalers.clear(rollout, target, cachedHpas, cachedScaledObjects);
        autoscalers.reconcile(rollout, PrimaryAutoscalers.targetHpa(rollout, cachedHpas), cachedHpas);
        autoscalers.reconcileScaledObject(rollout, cachedScaledObjects);
    }
}
