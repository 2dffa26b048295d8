package dev.ramp.api;

/**
 * The Rollout condition that says whether Ramp may route what {@code spec.service} asks for: its
 * hosts and gateways, checked against the Rollout's own Service names and the operator's
 * allow-lists ({@code ramp.routing.allowed-hosts}, {@code ramp.routing.allowed-gateways}). A
 * refusal holds the Rollout where it is (no phase advances, no route or Service is written) and
 * is never a rollback: nothing is reverted in Git, since fixing the spec or the settings is enough.
 */
public final class RoutingCondition {

    /** The condition's type. */
    public static final String TYPE = "Routing";
    /** False: a host or gateway is not the Rollout's to route; the message names each field and why. */
    public static final String REFUSED = "RouteRefused";
    /** True again after a refusal: every host and gateway is allowed. */
    public static final String ALLOWED = "RouteAllowed";

    private RoutingCondition() {
    }
}
