package dev.ramp.rollout;

import dev.ramp.api.Rollout;

/** The names of what Ramp generates for a Rollout. */
public record RolloutNames(String namespace, String target, String primary, String service,
        String primaryService, String canaryService) {

    public static RolloutNames of(Rollout rollout) {
        String target = rollout.getSpec().getTargetRef().getName();
        String configured = rollout.getSpec().getService().getName();
        String service = configured == null || configured.isBlank() ? target : configured;
        return new RolloutNames(rollout.getMetadata().getNamespace(), target, target + "-primary", service,
                service + "-primary", service + "-canary");
    }
}
