package dev.ramp.routing;

/**
 * What the Gateways a route attaches to have made of it, as their controllers report in the
 * route's {@code status.parents}: accepted by every one, not yet reported on (pending), or refused
 * by one (not Accepted, or its backends not resolved). The message names the Gateway, the
 * controller and its reason, for the Rollout's condition.
 */
public record RouteAcceptance(State state, String message) {

    /** Where a route stands with its parents. */
    public enum State {
        ACCEPTED, PENDING, REFUSED
    }

    public static RouteAcceptance accepted(String message) {
        return new RouteAcceptance(State.ACCEPTED, message);
    }

    public static RouteAcceptance pending(String message) {
        return new RouteAcceptance(State.PENDING, message);
    }

    public static RouteAcceptance refused(String message) {
        return new RouteAcceptance(State.REFUSED, message);
    }

    public boolean isAccepted() {
        return state == State.ACCEPTED;
    }
}
