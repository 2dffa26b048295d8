package dev.ramp.rollout;

import dev.ramp.api.RollbackCause;
import dev.ramp.api.Phase;
import dev.ramp.api.RolloutActions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Carries out what a person asked of a Rollout: promote now, abort, retry (annotation
 * {@value RolloutActions#ANNOTATION}), and pause/resume ({@code spec.paused}). Each request is
 * carried out once: it is recorded in {@code status.lastAction} in the same status write as its
 * effect, so a restart neither loses nor repeats it. A request that makes no sense in the current
 * phase is refused with a Warning Event saying why.
 */
public class ManualActions {

    public static final String PAUSED = "Paused";
    private static final Set<Phase> RELEASING = Set.of(Phase.Progressing, Phase.WaitingPromotion);

    public ManualActions() {
    }

    /** What to do next when a request or a pause took this reconcile; empty to let the phase's handler run. */
    public Optional<Next> apply(RolloutContext context) {
        Optional<Next> action = action(context);
        if (action.isPresent()) {
            return action;
        }
        return pause(context);
    }

    private Optional<Next> action(RolloutContext context) {
        RolloutStatus status = context.status();
        Map<String, String> annotations = context.rollout().getMetadata().getAnnotations();
        String request = annotations == null ? null : annotations.get(RolloutActions.ANNOTATION);
        if (request == null || request.equals(status.getLastAction())) {
            return Optional.empty();
        }
        status.setLastAction(request);
        String verb = RolloutActions.verb(request);
        Phase phase = status.getPhase();
        if (RolloutActions.PROMOTE.equals(verb) && RELEASING.contains(phase)) {
            Transitions.to(context, Phase.Promoting);
            context.normal("PromoteRequested", "Promoting revision "
                    + status.getLastAppliedRevision() + " now, as requested (" + request + "); remaining steps skipped");
            return Optional.of(Next.after(Duration.ofMillis(100)));
        }
        if (RolloutActions.ABORT.equals(verb) && RELEASING.contains(phase)) {
            Transitions.rollback(context, RollbackCause.ABORTED, "aborted by request (" + request + ")");
            return Optional.of(Next.after(Duration.ofMillis(100)));
        }
        if (RolloutActions.RETRY.equals(verb) && phase == Phase.Failed) {
            String revision = context.targetRevision();
            if (revision.equals(status.getLastAppliedRevision()) && !revision.equals(status.getLastPromotedRevision())) {
                Transitions.startRelease(context, revision);
                return Optional.of(Next.after(Duration.ofSeconds(1)));
            }
            return refused(context, request, "the target runs the promoted revision " + status.getLastPromotedRevision()
                    + "; there is no failed revision to retry");
        }
        String why = verb == null || !Set.of(RolloutActions.PROMOTE, RolloutActions.ABORT, RolloutActions.RETRY).contains(verb)
                ? "unknown action; use promote/<id>, abort/<id> or retry/<id>"
                : "not possible in phase " + phase + (RolloutActions.RETRY.equals(verb) ? " (only after a failed release)"
                        : " (only while a release runs)");
        return refused(context, request, why);
    }

    private Optional<Next> refused(RolloutContext context, String request, String why) {
        context.warning("ActionRefused", request + " refused: " + why);
        return Optional.empty();
    }

    private Optional<Next> pause(RolloutContext context) {
        boolean paused = context.rollout().getSpec().isPaused();
        boolean wasPaused = Conditions.isTrue(context.status().getConditions(), PAUSED);
        if (paused && context.status().getPhase() != Phase.Initializing) {
            if (!wasPaused) {
                Integer step = context.status().getCurrentStep() == null ? null : context.status().getCurrentStep().getIndex();
                String where = step == null ? "in phase " + context.status().getPhase() : "at step " + (step + 1);
                Transitions.setCondition(context, PAUSED, Conditions.TRUE, "Paused", "spec.paused is true: held " + where);
                context.normal("Paused", "Release held " + where);
            }
            return Optional.of(Next.onChange());
        }
        if (wasPaused) {
            Transitions.setCondition(context, PAUSED, Conditions.FALSE, "Resumed", "spec.paused is false");
            context.normal("Resumed", "Release resumed");
        }
        return Optional.empty();
    }
}
