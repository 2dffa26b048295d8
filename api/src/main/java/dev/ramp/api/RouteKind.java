package dev.ramp.api;

/**
 * The kind of the route Ramp writes for a Rollout, named {@link RolloutNames#route()} in its
 * namespace: what the operator's router writes and what the CLI reads back, decided once here
 * from {@code spec.service.provider} and {@code spec.service.protocol}.
 */
public enum RouteKind {
    /** Istio (networking.istio.io/v1): weights on the http route named {@link RolloutNames#PRIMARY_ROUTE}. */
    VirtualService,
    /** The Gateway API (gateway.networking.k8s.io/v1) for HTTP: weights on the rule named {@link RolloutNames#PRIMARY_ROUTE}. */
    HTTPRoute,
    /** The Gateway API for {@code protocol: GRPC}: weights on the rule named {@link RolloutNames#PRIMARY_ROUTE}. */
    GRPCRoute,
    /**
     * Provider None: no route; the Service {@link RolloutNames#service()} itself, whose selector
     * takes in the canary's pods beside the primary's, the split being their numbers of pods.
     */
    Service;

    /** The route kind for a Rollout's {@code spec.service} (its effective provider and protocol). */
    public static RouteKind of(ServiceSpec service) {
        if (service.effectiveProvider() == RoutingProvider.Istio) {
            return VirtualService;
        }
        if (service.effectiveProvider() == RoutingProvider.None) {
            return Service;
        }
        return service.effectiveProtocol() == ServiceProtocol.GRPC ? GRPCRoute : HTTPRoute;
    }

    /** Whether the route's parents (Gateways) report on it in its status: the Gateway API's kinds. */
    public boolean reportsParents() {
        return this == HTTPRoute || this == GRPCRoute;
    }
}
