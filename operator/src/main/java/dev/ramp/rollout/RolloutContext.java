package dev.ramp.rollout;

import dev.ramp.api.RampLabels;
import dev.ramp.api.TemplateHash;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Clock;
import java.time.Instant;

/** What a phase handler works on: the Rollout, its status (to change), its target, and the time. */
public record RolloutContext(Rollout rollout, Deployment target, Clock clock) {

    public RolloutStatus status() {
        return rollout.getStatus();
    }

    public Instant now() {
        return clock.instant();
    }

    public String targetRevision() {
        return TemplateHash.of(target.getSpec().getTemplate());
    }

    /** The Git commit the target came from, when a GitSource applied it (annotation ramp.dev/commit). */
    public String targetCommit() {
        var annotations = target.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RampLabels.COMMIT_ANNOTATION);
    }


    public String key() {
        return rollout.getMetadata().getNamespace() + "/" + rollout.getMetadata().getName();
    }
}
