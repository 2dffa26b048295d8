package dev.ramp.api;

/**
 * What moves a Rollout's traffic ({@code spec.service.provider}): the router Ramp writes the
 * route for, and the data plane whose telemetry the built-in metrics read.
 */
public enum RoutingProvider {
    /** Istio: a VirtualService and DestinationRules; Istio's standard metrics. The default. */
    Istio,
    /**
     * The Kubernetes Gateway API: an HTTPRoute (or a GRPCRoute, {@code protocol: GRPC}) attached
     * to the Gateways of {@code spec.service.parentRefs}, served by whichever implementation runs
     * them (Traefik in the lab).
     */
    GatewayAPI,
    /**
     * No mesh and no proxy: the Service {@code <name>} selects the primary's pods and, during a
     * canary step, the canary's too, and kube-proxy spreads connections over the ready pods, so the
     * canary's share is its share of the pods (docs/no-mesh.md). No header matches, no mirroring,
     * no exact percentages, and no built-in telemetry.
     */
    None
}
