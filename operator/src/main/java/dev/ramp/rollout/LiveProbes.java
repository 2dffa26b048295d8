package dev.ramp.rollout;

import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.CheckResult;
import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.Rollout;
import dev.ramp.api.WebhookSpec;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.hooks.Hooks;
import java.util.Optional;

/** The probes against Prometheus and the Rollout's webhooks. */
public class LiveProbes implements Probes {

    private final Analysis analysis;
    private final Hooks hooks;

    public LiveProbes(Analysis analysis, Hooks hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
    }

    @Override
    public CheckResult checks(Rollout rollout, String revision, TemplateLookup templates) {
        return analysis.run(rollout, revision, templates);
    }

    @Override
    public Optional<HookAnswer> firstRefusal(Rollout rollout, WebhookSpec.Type type) {
        return hooks.firstRefusal(rollout, type);
    }

    @Override
    public Optional<HookAnswer> firstYes(Rollout rollout, WebhookSpec.Type type) {
        return hooks.firstYes(rollout, type);
    }
}
