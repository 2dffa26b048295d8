package dev.ramp.routing;

import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingProvider;
import dev.ramp.kube.InstalledKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The router of each Rollout, chosen by {@code spec.service.provider} (Istio unless it says
 * GatewayAPI or None: {@link ReplicaRatioRouter}), and the one rule every router follows before it writes: what the
 * {@link RoutePolicy} refuses and what the chosen router cannot carry out, together the refusals
 * a Rollout is held for.
 */
public final class Routers {

    private final Map<RoutingProvider, TrafficRouter> routers;
    private final RoutePolicy policy;
    private final CachedGatewayClasses gatewayClasses;

    public Routers(RoutePolicy policy, TrafficRouter istio, TrafficRouter gatewayApi, CachedGatewayClasses gatewayClasses) {
        this.policy = policy;
        this.routers = new EnumMap<>(Map.of(RoutingProvider.Istio, istio, RoutingProvider.GatewayAPI, gatewayApi,
                RoutingProvider.None, new ReplicaRatioRouter()));
        this.gatewayClasses = gatewayClasses;
    }

    /** The cached Gateways and GatewayClasses the Gateway API router decides by, for the informers to fill. */
    public CachedGatewayClasses gatewayClasses() {
        return gatewayClasses;
    }

    /**
     * Every router, writing with {@code client}; {@code gatewayApiMirror}: the operator says the
     * Gateway API implementation mirrors, whatever its GatewayClasses publish. The Gateway API
     * router reads those from {@link #gatewayClasses()}, which the Rollout controller's informers fill.
     */
    public static Routers create(KubernetesClient client, RoutePolicy policy, boolean gatewayApiMirror) {
        CachedGatewayClasses gatewayClasses = new CachedGatewayClasses();
        return new Routers(policy, new IstioRouter(client, policy),
                new GatewayApiRouter(client, policy, gatewayApiMirror, gatewayClasses), gatewayClasses);
    }

    /** The router of {@code rollout}'s provider. */
    public TrafficRouter of(Rollout rollout) {
        return routers.get(rollout.getSpec().getService().effectiveProvider());
    }

    /** The kinds any router writes: each is watched once its CRD is installed. */
    public List<Class<? extends HasMetadata>> kinds() {
        Set<Class<? extends HasMetadata>> kinds = new LinkedHashSet<>();
        routers.values().forEach(router -> kinds.addAll(router.kinds()));
        return List.copyOf(kinds);
    }

    /**
     * Why the Rollout may not be routed as its spec asks, with {@code target} (as last observed)
     * as the Deployment it releases (null for a StatefulSet), one sentence per field; empty when it may.
     */
    public List<String> refusals(Rollout rollout, Deployment target) {
        List<String> refusals = new ArrayList<>(policy.refusals(rollout));
        // A StatefulSet target (null here) is refused only what its Rollout asks of the router.
        refusals.addAll(target == null ? of(rollout).unsupported(rollout) : of(rollout).unsupported(rollout, target));
        return refusals;
    }

    /** Why the Rollout's router cannot route in this cluster (its kinds are not installed); empty when it can. */
    public Optional<String> notInstalled(Rollout rollout, InstalledKinds installed) {
        return RouterKinds.notInstalled(of(rollout), installed);
    }
}
