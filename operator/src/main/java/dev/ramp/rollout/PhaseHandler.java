package dev.ramp.rollout;

import dev.ramp.api.Phase;
import java.util.Set;

/**
 * The work of one or more phases. A handler changes the status in its context and says what to
 * do next; it never throws to mean "not ready yet".
 */
public interface PhaseHandler {

    Set<Phase> phases();

    Next handle(RolloutContext context);
}
