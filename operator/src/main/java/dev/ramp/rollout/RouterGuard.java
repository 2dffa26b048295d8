package dev.ramp.rollout;

import dev.ramp.api.RoutingCondition;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Messages;
import java.util.Optional;

/**
 * Holds a Rollout whose router's kinds are not installed in the cluster (Istio absent), in every
 * phase and before anything else: no phase advances, no manual action or new release is taken
 * up, no Deployment is scaled, and no Service or route is written (the reconciler applies nothing
 * for it). The condition {@value RoutingCondition#TYPE} names what is missing. The CRDs' arrival
 * wakes the Rollout (RolloutEventSources watches them), which then goes on from where it was held.
 */
public class RouterGuard {

    /** What to do next when the router is not installed; empty to let the Rollout go on. */
    public Optional<Next> apply(RolloutContext context) {
        var held = Conditions.find(context.status().getConditions(), RoutingCondition.TYPE)
                .filter(c -> RoutingCondition.ROUTER_NOT_INSTALLED.equals(c.getReason()));
        if (context.routerNotInstalled().isEmpty()) {
            if (held.isPresent()) {
                Transitions.setCondition(context, RoutingCondition.TYPE, Conditions.TRUE, RoutingCondition.ROUTER_INSTALLED,
                        "the router's kinds are installed");
                context.normal(RoutingCondition.ROUTER_INSTALLED, "The router's kinds are installed; the Rollout goes on");
            }
            return Optional.empty();
        }
        // As the condition stores it (cut), so that an unchanged hold is not news.
        String message = Messages.bounded(context.routerNotInstalled().get() + "; held until installed: nothing is routed or scaled");
        if (held.map(c -> !message.equals(c.getMessage())).orElse(true)) {
            context.warning(RoutingCondition.ROUTER_NOT_INSTALLED, message);
        }
        Transitions.setCondition(context, RoutingCondition.TYPE, Conditions.FALSE, RoutingCondition.ROUTER_NOT_INSTALLED, message);
        return Optional.of(Next.onChange());
    }
}
