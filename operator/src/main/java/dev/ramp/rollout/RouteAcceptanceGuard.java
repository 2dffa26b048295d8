package dev.ramp.rollout;

import dev.ramp.api.RoutingCondition;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Messages;
import dev.ramp.routing.RouteAcceptance;
import java.util.Optional;

/**
 * Holds a Rollout whose Gateway API route its Gateways have not accepted, in every phase, after
 * the router and route guards: no step advances, nothing is promoted, no manual action or new
 * revision is taken up, since a weight the data plane does not carry proves nothing. It is not a
 * rollback (nothing is reverted) and, unlike those guards, the Services and the route are still
 * written: a Gateway can only accept a route that exists. The condition
 * {@value RoutingCondition#ACCEPTED_TYPE} says which Gateway and why; a refusal by a controller is
 * also an Event, a route merely awaiting its first report is not. Once every Gateway accepts it,
 * the Rollout goes on from where it was held. A Rollout whose router has no route status (Istio)
 * has no such condition: one left by a switch of provider is removed.
 */
public class RouteAcceptanceGuard {

    /** What to do next while the route is not accepted; empty to let the Rollout go on. */
    public Optional<Next> apply(RolloutContext context) {
        if (context.routeAcceptance().isEmpty()) {
            // A router without route status (Istio, after a switch of provider): the condition would be stale.
            if (Conditions.find(context.status().getConditions(), RoutingCondition.ACCEPTED_TYPE).isPresent()) {
                context.status().setConditions(Conditions.without(context.status().getConditions(), RoutingCondition.ACCEPTED_TYPE));
            }
            return Optional.empty();
        }
        RouteAcceptance acceptance = context.routeAcceptance().get();
        var before = Conditions.find(context.status().getConditions(), RoutingCondition.ACCEPTED_TYPE);
        if (acceptance.isAccepted()) {
            boolean wasHeld = before.filter(c -> !Conditions.TRUE.equals(c.getStatus())).isPresent();
            Transitions.setCondition(context, RoutingCondition.ACCEPTED_TYPE, Conditions.TRUE, RoutingCondition.ACCEPTED,
                    Messages.bounded(acceptance.message()));
            if (wasHeld) {
                context.normal(RoutingCondition.ACCEPTED, "The route is accepted; the Rollout goes on");
            }
            return Optional.empty();
        }
        boolean refused = acceptance.state() == RouteAcceptance.State.REFUSED;
        String reason = refused ? RoutingCondition.NOT_ACCEPTED : RoutingCondition.ACCEPTANCE_PENDING;
        // As the condition stores it (cut), so that an unchanged hold is not news.
        String message = Messages.bounded("held, the route is written but not in effect: " + acceptance.message());
        if (refused && before.map(c -> !reason.equals(c.getReason()) || !message.equals(c.getMessage())).orElse(true)) {
            context.warning(reason, message);
        }
        Transitions.setCondition(context, RoutingCondition.ACCEPTED_TYPE, refused ? Conditions.FALSE : Conditions.UNKNOWN,
                reason, message);
        return Optional.of(Next.onChange());
    }
}
