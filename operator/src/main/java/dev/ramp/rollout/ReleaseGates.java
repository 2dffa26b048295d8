package dev.ramp.rollout;

import dev.ramp.api.RolloutConditions;
import dev.ramp.api.WebhookReasons;
import dev.ramp.api.WebhookSpec.Type;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.hooks.Hooks;
import dev.ramp.kube.Conditions;
import dev.ramp.work.Observation;
import java.util.Objects;
import java.util.Optional;

/**
 * What a release's webhooks decide, with the {@code Webhooks} condition saying so: whether the
 * release may take traffic (confirm-rollout) or be promoted (confirm-promotion), whether a
 * pre-rollout or rollout hook failed (a failed check), and whether a rollback hook asks for a
 * rollback. A gate that keeps saying no is reported once, not at every poll. While hooks are being
 * asked, each answer here is pending and nothing is changed.
 */
public class ReleaseGates {

    private final Probes probes;

    public ReleaseGates(Probes probes) {
        this.probes = probes;
    }

    /**
     * Asks the hooks of the type for this round, deciding nothing: to ask them with the round's
     * other questions, so that an answer comes in before a check ends the round.
     */
    public Observation<?> ask(RolloutContext context, Type type) {
        return type == Type.Rollback ? probes.firstYes(context, type) : probes.firstRefusal(context, type);
    }

    /**
     * True when every hook of a confirm type answers 2xx; otherwise the condition names the
     * refusal. Pending, with nothing changed, until they have answered.
     */
    public Observation<Boolean> confirmed(RolloutContext context, Type type) {
        Observation<Optional<HookAnswer>> asked = probes.firstRefusal(context, type);
        if (asked.pending()) {
            return asked.map(a -> true);
        }
        Optional<HookAnswer> refusal = asked.value();
        if (refusal.isEmpty()) {
            if (Hooks.any(context.rollout(), type)) {
                set(context, Conditions.TRUE, WebhookReasons.CONFIRMED, type == Type.ConfirmRollout ? "confirm-rollout hooks answered 2xx"
                        : "confirm-promotion hooks answered 2xx");
            }
            return Observation.ready(true);
        }
        String message = "waiting for " + (type == Type.ConfirmRollout ? "confirm-rollout: " : "confirm-promotion: ")
                + refusal.get().described();
        boolean news = Conditions.find(context.status().getConditions(), RolloutConditions.WEBHOOKS)
                .map(c -> !Objects.equals(c.getMessage(), message)).orElse(true);
        // A hook the egress policy refused waits for a change of spec (or policy), and says so.
        boolean denied = refusal.get().denied();
        String reason = denied ? refusal.get().reason() : WebhookReasons.WAITING_FOR_CONFIRMATION;
        set(context, Conditions.FALSE, reason, message);
        if (news && denied) {
            context.warning(reason, message);
        } else if (news) {
            context.normal(reason, message);
        }
        return Observation.ready(false);
    }

    /**
     * The first hook of a checking type (pre-rollout, rollout) that did not answer 2xx: one that
     * said no fails the check; one that gave no verdict (not reached, 408, 429, 502-504) leaves it
     * inconclusive. Pending, with nothing changed, until they have answered.
     */
    public Observation<Optional<HookAnswer>> failure(RolloutContext context, Type type) {
        Observation<Optional<HookAnswer>> refusal = probes.firstRefusal(context, type);
        if (!refusal.pending()) {
            refusal.value().ifPresent(answer -> set(context, Conditions.FALSE, answer.reason(), answer.described()));
        }
        return refusal;
    }

    /**
     * Whether a rollback hook answered 2xx: a request to roll back now, said without the hook's
     * response. Their answers serve one analysis interval ({@link Probes}).
     */
    public Observation<Optional<String>> rollbackRequested(RolloutContext context) {
        Observation<Optional<HookAnswer>> yes = probes.firstYes(context, Type.Rollback);
        if (!yes.pending()) {
            yes.value().ifPresent(answer -> set(context, Conditions.TRUE, WebhookReasons.ROLLBACK_REQUESTED, answer.described()));
        }
        return yes.map(answer -> answer.map(HookAnswer::message));
    }

    private void set(RolloutContext context, String status, String reason, String message) {
        Transitions.setCondition(context, RolloutConditions.WEBHOOKS, status, reason, message);
    }
}
