package dev.ramp.rollout.phase;

import dev.ramp.api.RollbackCause;
import dev.ramp.api.Phase;
import dev.ramp.api.WebhookSpec.Type;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.Baseline;
import dev.ramp.rollout.Effect;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.ReleaseChecks;
import dev.ramp.rollout.ReleaseGates;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.StepClock;
import dev.ramp.rollout.Transitions;
import dev.ramp.work.Observation;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Every step passed; the canary keeps its last step's traffic while the confirm-promotion hooks
 * are asked, and its checks keep running at the same pace as during a step: a canary that goes
 * bad while a person or a system decides is rolled back, not promoted. A yes promotes (as does a
 * manual promote) only after a passed check; a rollback hook saying yes ends the wait the other
 * way (a new revision restarts the release: {@code NewRevisionGuard}).
 */
public class WaitingPromotionPhase implements PhaseHandler {

    private final ReleaseGates gates;
    private final ReleaseChecks checks;

    public WaitingPromotionPhase(ReleaseGates gates, ReleaseChecks checks) {
        this.gates = gates;
        this.checks = checks;
    }

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.WaitingPromotion);
    }

    @Override
    public Next handle(RolloutContext context) {
        AnalysisSettings settings = AnalysisSettings.of(context.rollout());
        context.effect(new Effect.ScaleUpCanary(context.status().getLastAppliedRevision()));
        Baseline.run(context);
        Optional<Duration> wait = new StepClock(settings, context.status(), context.now()).untilNextCheck();
        if (wait.isPresent()) {
            return Next.after(wait.get());
        }
        // The round's questions are asked together, and the pass holds, changing nothing, until
        // all are answered. Confirm-promotion is asked only about a canary passing this round, and
        // before its check is recorded: recording it ends the round the question belongs to.
        Observation<Boolean> passes = checks.passes(context);
        Optional<Next> pending = Next.whilePending(gates.ask(context, Type.Rollback), passes);
        if (pending.isEmpty() && passes.value()) {
            pending = Next.whilePending(gates.ask(context, Type.ConfirmPromotion));
        }
        if (pending.isPresent()) {
            return pending.get();
        }
        Observation<Optional<String>> rollback = gates.rollbackRequested(context);
        if (rollback.pending()) {
            return Next.holding(rollback);
        }
        if (rollback.value().isPresent()) {
            Transitions.rollback(context, RollbackCause.ROLLBACK_REQUESTED, rollback.value().get());
            return Next.onChange();
        }
        Optional<Next> notPassed = checks.metrics(context, settings, "the last step, waiting for promotion");
        if (notPassed.isPresent()) {
            return notPassed.get();
        }
        Observation<Boolean> confirmed = gates.confirmed(context, Type.ConfirmPromotion);
        if (confirmed.pending()) {
            return Next.holding(confirmed);
        }
        if (confirmed.value()) {
            Transitions.to(context, Phase.Promoting);
            context.normal("Promoting", "confirm-promotion hooks answered 2xx; copying revision "
                    + context.status().getLastAppliedRevision() + " into the primary");
            return Next.after(Duration.ofMillis(100));
        }
        return Next.after(settings.checkEvery());
    }
}
