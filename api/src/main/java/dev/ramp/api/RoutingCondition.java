package dev.ramp.api;

/**
 * The Rollout condition that says whether Ramp can route what {@code spec.service} asks for: whether
 * the router's kinds are installed in the cluster (their CustomResourceDefinitions), and whether
 * its hosts and gateways may be routed, checked against the Rollout's own Service names and the
 * operator's allow-lists ({@code ramp.routing.allowed-hosts}, {@code ramp.routing.allowed-gateways}).
 * Either hold holds the Rollout where it is (no phase advances, no route or Service is written) and
 * is never a rollback: nothing is reverted in Git, since installing the router or fixing the spec
 * or the settings is enough. A refusal also names what the Rollout's router cannot do
 * ({@code spec.analysis.mirror} where a Gateway's GatewayClass does not publish that its implementation
 * mirrors, in {@code status.supportedFeatures}).
 *
 * <p>With provider GatewayAPI a second condition, {@value #ACCEPTED_TYPE}, says what the Gateways
 * the route names ({@code spec.service.parentRefs}) have made of it, as their controllers report
 * in the route's {@code status.parents}. While it is not True the release is held too (no step
 * advances, nothing is promoted, no manual action or new revision is taken up), but unlike the
 * holds above the route and the Services are still written, since a controller can only accept a
 * route that exists. Neither is a rollback: nothing is reverted.
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

    /**
     * The condition type of a Gateway API route's acceptance: True when every parentRef's Gateway
     * reports it Accepted (and no ResolvedRefs False); set only for provider GatewayAPI.
     */
    public static final String ACCEPTED_TYPE = "RouteAccepted";
    /** True: every Gateway of {@code spec.service.parentRefs} accepted the route and resolved its backends. */
    public static final String ACCEPTED = "Accepted";
    /**
     * False: a Gateway's controller reports the route not Accepted, or its backends not resolved
     * (ResolvedRefs False); the message names the Gateway, the controller and its reason. Held.
     */
    public static final String NOT_ACCEPTED = "RouteNotAccepted";
    /**
     * Unknown: the route is not written yet, or a Gateway's controller has not reported on it
     * (none runs for that Gateway, or it has not caught up). Held; no Event, as this is the
     * ordinary moment between writing a route and its acceptance.
     */
    public static final String ACCEPTANCE_PENDING = "RouteAcceptancePending";

    private RoutingCondition() {
    }
}
