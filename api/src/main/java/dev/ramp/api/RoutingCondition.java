package dev.ramp.api;

/**
 * The Rollout condition that says whether Ramp can route what {@code spec.service} asks for: whether
 * the router's kinds are installed in the cluster (their CustomResourceDefinitions), and whether
 * its hosts and gateways may be routed, checked against the Rollout's own Service names and the
 * operator's allow-lists ({@code ramp.routing.allowed-hosts}, {@code ramp.routing.allowed-gateways}).
 * Either hold holds the Rollout where it is (no phase advances, no route or Service is written) and
 * is never a rollback: nothing is reverted in Git, since installing the router or fixing the spec
 * or the settings is enough.
 */
public final class RoutingCondition {

    /** The condition's type. */
    public static final String TYPE = "Routing";
    /** False: a host or gateway is not the Rollout's to route; the message names each field and why. */
    public static final String REFUSED = "RouteRefused";
    /** True again after a refusal: every host and gateway is allowed. */
    public static final String ALLOWED = "RouteAllowed";
    /**
     * False: the CustomResourceDefinitions of the router's kinds are missing (Istio not installed);
     * the message names them. The Rollout goes on by itself once they are installed.
     */
    public static final String ROUTER_NOT_INSTALLED = "RouterNotInstalled";
    /** True again after {@link #ROUTER_NOT_INSTALLED}: the router's kinds are installed and watched. */
    public static final String ROUTER_INSTALLED = "RouterInstalled";

    private RoutingCondition() {
    }
}
