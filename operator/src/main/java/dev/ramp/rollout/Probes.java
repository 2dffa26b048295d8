package dev.ramp.rollout;

import dev.ramp.analysis.CheckResult;
import dev.ramp.api.WebhookSpec;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.work.Observation;
import java.util.Optional;

/**
 * The observations a decision asks for only when they are due, since each costs a call outside
 * the cluster: the metric checks of the canary's revision and the answers of the gating webhooks.
 * Each answers for the pass's round ({@link RolloutContext#round()}): pending until it is in, then
 * the same answer for every pass of that round, so a repeated pass never asks twice; a new round
 * asks again. A rollback hook's answer serves for one analysis interval, so rollback hooks are
 * asked at most once per interval. Each call is one attempt, bounded by its timeout; the next
 * round is the retry. Unit tests answer them from a script.
 */
public interface Probes {

    /** The metric checks of the canary running {@code status.lastAppliedRevision}. */
    Observation<CheckResult> checks(RolloutContext context);

    /** Asks every hook of the type; the first that did not answer 2xx, if any, once all answered or one refused. */
    Observation<Optional<HookAnswer>> firstRefusal(RolloutContext context, WebhookSpec.Type type);

    /** Asks every hook of the type; the first that answered 2xx, if any (a rollback hook saying yes). */
    Observation<Optional<HookAnswer>> firstYes(RolloutContext context, WebhookSpec.Type type);
}
