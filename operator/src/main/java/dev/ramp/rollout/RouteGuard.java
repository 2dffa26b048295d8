package dev.ramp.rollout;

import dev.ramp.api.RoutingCondition;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Messages;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.routing.Routers;
import java.util.List;
import java.util.Optional;

/**
 * Holds a Rollout whose {@code spec.service} asks for hosts or gateways the {@link RoutePolicy}
 * refuses, or for what its router cannot carry out (a mirror the Gateway API implementation does
 * not do: {@link Routers#refusals}), in every phase and before anything else: no phase advances,
 * no manual action or new release is taken up, and no Service or route is written
 * (GeneratedObjects asks the same {@link Routers#refusals}),
 * so the mesh keeps the last route Ramp wrote. Before a first route that means no traffic change
 * at all; mid-release the canary keeps its share rather than every route being dropped. The
 * condition {@value RoutingCondition#TYPE} names each refused field; once the spec or the
 * operator's settings allow it, the Rollout goes on from where it was held.
 */
public class RouteGuard {

    private final Routers routers;

    public RouteGuard(Routers routers) {
        this.routers = routers;
    }

    /** What to do next when the route is refused; empty to let the Rollout go on. */
    public Optional<Next> apply(RolloutContext context) {
        List<String> refusals = routers.refusals(context.rollout(), context.target());
        var held = Conditions.find(context.status().getConditions(), RoutingCondition.TYPE)
                .filter(c -> RoutingCondition.REFUSED.equals(c.getReason()));
        if (refusals.isEmpty()) {
            if (held.isPresent()) {
                Transitions.setCondition(context, RoutingCondition.TYPE, Conditions.TRUE, RoutingCondition.ALLOWED,
                        "every host and gateway of spec.service may be routed");
                context.normal(RoutingCondition.ALLOWED, "The route is allowed again; the Rollout goes on");
            }
            return Optional.empty();
        }
        // As the condition stores it (cut and redacted), so that an unchanged refusal is not news.
        String message = Messages.bounded("held, nothing routed: " + String.join("; ", refusals));
        if (held.map(c -> !message.equals(c.getMessage())).orElse(true)) {
            context.warning(RoutingCondition.REFUSED, message);
        }
        Transitions.setCondition(context, RoutingCondition.TYPE, Conditions.FALSE, RoutingCondition.REFUSED, message);
        return Optional.of(Next.onChange());
    }
}
