package dev.ramp.kube;

import dev.ramp.api.Timestamps;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds and merges Kubernetes conditions. A condition keeps its lastTransitionTime while its
 * status stays the same, so a reconcile that finds nothing new writes nothing new.
 */
public final class Conditions {

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private final Clock clock;

    public Conditions(Clock clock) {
        this.clock = clock;
    }

    /**
     * A condition stamped with the current time and the observed generation. The message is cut
     * to {@link Messages#MAX_LENGTH} characters and any URL in it redacted, whoever wrote it.
     */
    public Condition of(String type, String status, String reason, String message, Long generation) {
        return of(type, status, reason, message, generation, Instant.now(clock));
    }

    /** A condition stamped with the given time ({@link Timestamps}) and the observed generation. */
    public static Condition of(String type, String status, String reason, String message, Long generation, Instant at) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(Messages.bounded(message))
                .withObservedGeneration(generation).withLastTransitionTime(Timestamps.format(at))
                .build();
    }

    /** Returns conditions with the one of the same type replaced by {@code update}. */
    public static List<Condition> merge(List<Condition> conditions, Condition update) {
        List<Condition> merged = new ArrayList<>();
        boolean replaced = false;
        for (Condition existing : conditions == null ? List.<Condition>of() : conditions) {
            if (!existing.getType().equals(update.getType())) {
                merged.add(existing);
                continue;
            }
            replaced = true;
            boolean sameStatus = Objects.equals(existing.getStatus(), update.getStatus());
            merged.add(new ConditionBuilder(update)
                    .withLastTransitionTime(sameStatus ? existing.getLastTransitionTime() : update.getLastTransitionTime())
                    .build());
        }
        if (!replaced) {
            merged.add(update);
        }
        return merged;
    }

    /** Returns conditions without the one of this type. */
    public static List<Condition> without(List<Condition> conditions, String type) {
        return conditions == null ? new ArrayList<>()
                : new ArrayList<>(conditions.stream().filter(c -> !type.equals(c.getType())).toList());
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
    }

    public String now() {
        return Timestamps.format(Instant.now(clock));
    }
}
