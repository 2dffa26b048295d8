package dev.ramp.rollout;

import dev.ramp.analysis.CheckResult;
import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.Rollout;
import dev.ramp.api.WebhookSpec;
import dev.ramp.hooks.HookCaller.HookAnswer;
import java.util.Optional;

/**
 * The observations a decision asks for only when they are due, since each costs a call outside
 * the cluster: the metric checks of a revision and the answers of the gating webhooks. Each is
 * one attempt, bounded by its timeout; the next check is the retry. Unit tests answer them
 * from a script.
 */
public interface Probes {

    /** The metric checks of the canary running {@code revision}, its MetricTemplates found with {@code templates}. */
    CheckResult checks(Rollout rollout, String revision, TemplateLookup templates);

    /** Asks every hook of the type; the first that did not answer 2xx, if any. */
    Optional<HookAnswer> firstRefusal(Rollout rollout, WebhookSpec.Type type);

    /** Asks every hook of the type; the first that answered 2xx, if any (a rollback hook saying yes). */
    Optional<HookAnswer> firstYes(Rollout rollout, WebhookSpec.Type type);
}
