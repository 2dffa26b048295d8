package dev.ramp.rollout.statefulset;

import dev.ramp.api.RolloutConditions;
import dev.ramp.api.StatefulSetReasons;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Managed;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Holds a Rollout whose StatefulSet cannot be released by its partition (type OnDelete, or a
 * partition another field manager declares), changing nothing, with the Ready condition naming
 * the field; and any pass until the StatefulSet's controller has observed its spec, since only
 * then does {@code status.updateRevision} say which revision the template is.
 */
public class StatefulSetGuard {

    private static final Set<String> REASONS = Set.of(StatefulSetReasons.PARTITION_DECLARED, StatefulSetReasons.ON_DELETE);

    public Optional<Next> apply(RolloutContext context) {
        StatefulSet set = context.statefulSet().orElseThrow();
        Optional<String> held = Conditions.find(context.status().getConditions(), RolloutConditions.READY)
                .map(c -> c.getReason()).filter(REASONS::contains);
        Optional<String[]> refusal = StatefulSetProgress.refusal(set, Managed.FIELD_MANAGER);
        if (refusal.isPresent()) {
            String reason = refusal.get()[0];
            String message = refusal.get()[1];
            if (!held.map(reason::equals).orElse(false)) {
                context.warning(reason, message);
            }
            Transitions.setCondition(context, RolloutConditions.READY, Conditions.FALSE, reason, message);
            return Optional.of(Next.onChange());
        }
        if (held.isPresent()) {
            Transitions.setCondition(context, RolloutConditions.READY, Conditions.TRUE, "TargetAccepted", "StatefulSet "
                    + set.getMetadata().getName() + " can be released by its partition again");
        }
        if (!StatefulSetProgress.of(set).observed()) {
            return Optional.of(Next.after(Duration.ofSeconds(1)));
        }
        return Optional.empty();
    }
}
