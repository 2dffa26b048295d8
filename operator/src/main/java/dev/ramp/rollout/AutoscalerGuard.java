package dev.ramp.rollout;

import dev.ramp.api.AutoscalerCondition;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Messages;

/**
 * Records in the {@value AutoscalerCondition#TYPE} condition whether Ramp can follow the
 * autoscaler {@code spec.autoscalerRef} names (not there, not on the target, KEDA not installed),
 * with a Warning when that changes, and removes it once the Rollout names none. Holds nothing: a release goes on without the primary's copy
 * (the primary keeps its size), which is written once the cause is fixed.
 */
public class AutoscalerGuard {

    public void apply(RolloutContext context) {
        if (context.rollout().getSpec().getAutoscalerRef() == null) {
            // No autoscaler named (any more): nothing to report, and no condition about a former one.
            if (Conditions.find(context.status().getConditions(), AutoscalerCondition.TYPE).isPresent()) {
                context.status().setConditions(Conditions.without(context.status().getConditions(), AutoscalerCondition.TYPE));
            }
            return;
        }
        var current = Conditions.find(context.status().getConditions(), AutoscalerCondition.TYPE);
        if (context.autoscalerProblem().isEmpty()) {
            if (current.map(c -> !Conditions.TRUE.equals(c.getStatus())).orElse(true)) {
                Transitions.setCondition(context, AutoscalerCondition.TYPE, Conditions.TRUE, AutoscalerCondition.COPIED,
                        "the autoscaler scales the target; its copy <name>-primary scales the primary");
            }
            return;
        }
        var problem = context.autoscalerProblem().get();
        String message = Messages.bounded(problem.message());
        if (current.map(c -> !message.equals(c.getMessage())).orElse(true)) {
            context.warning(problem.reason(), message);
        }
        Transitions.setCondition(context, AutoscalerCondition.TYPE, Conditions.FALSE, problem.reason(), message);
    }
}
