package dev.ramp.rollout;

import dev.ramp.api.WebhookSpec.Type;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.hooks.Hooks;
import dev.ramp.kube.Conditions;
import java.util.Objects;
import java.util.Optional;

/**
 * What a release's webhooks decide, with the {@code Webhooks} condition saying so: whether the
 * release may take traffic (confirm-rollout) or be promoted (confirm-promotion), whether a
 * pre-rollout or rollout hook failed (a failed check), and whether a rollback hook asks for a
 * rollback. A gate that keeps saying no is reported once, not at every poll.
 */
public class ReleaseGates {

    public static final String WEBHOOKS = "Webhooks";

    private final Probes probes;

    public ReleaseGates(Probes probes) {
        this.probes = probes;
    }

    /** True when every hook of a confirm type answers 2xx; otherwise the condition names the refusal. */
    public boolean confirmed(RolloutContext context, Type type) {
        Optional<HookAnswer> refusal = probes.firstRefusal(context.rollout(), type);
        if (refusal.isEmpty()) {
            if (Hooks.any(context.rollout(), type)) {
                set(context, Conditions.TRUE, "Confirmed", type == Type.ConfirmRollout ? "confirm-rollout hooks answered 2xx"
                        : "confirm-promotion hooks answered 2xx");
            }
            return true;
        }
        String message = "waiting for " + (type == Type.ConfirmRollout ? "confirm-rollout: " : "confirm-promotion: ")
                + refusal.get().described();
        boolean news = Conditions.find(context.status().getConditions(), WEBHOOKS)
                .map(c -> !Objects.equals(c.getMessage(), message)).orElse(true);
        // A hook the egress policy refused waits for a change of spec (or policy), and says so.
        boolean denied = refusal.get().denied();
        String reason = denied ? refusal.get().reason() : "WaitingForConfirmation";
        set(context, Conditions.FALSE, reason, message);
        if (news && denied) {
            context.warning(reason, message);
        } else if (news) {
            context.normal(reason, message);
        }
        return false;
    }

    /**
     * The first hook of a checking type (pre-rollout, rollout) that did not answer 2xx: one that
     * said no fails the check; one that gave no verdict (not reached, 408, 429, 502-504) leaves it
     * inconclusive.
     */
    public Optional<HookAnswer> failure(RolloutContext context, Type type) {
        Optional<HookAnswer> refusal = probes.firstRefusal(context.rollout(), type);
        refusal.ifPresent(answer -> set(context, Conditions.FALSE, answer.reason(), answer.described()));
        return refusal;
    }

    /** Whether a rollback hook answered 2xx: a request to roll back now, said without the hook's response. */
    public Optional<String> rollbackRequested(RolloutContext context) {
        return probes.firstYes(context.rollout(), Type.Rollback).map(answer -> {
            set(context, Conditions.TRUE, "RollbackRequested", answer.described());
            return answer.message();
        });
    }

    private void set(RolloutContext context, String status, String reason, String message) {
        Transitions.setCondition(context, WEBHOOKS, status, reason, message);
    }
}
