package dev.ramp.autoscaling;

import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Holds the target's KEDA ScaledObject at 0 between releases. Unlike an HPA, which does nothing to
 * a Deployment at 0 replicas, KEDA's own loop scales a target up from 0 (to {@code
 * minReplicaCount}, or to 1 when a trigger is active), which would run the canary with no release.
 * KEDA's {@value #PAUSED_REPLICAS} annotation pins the target to a count and stops KEDA scaling it:
 * Ramp sets it to {@code "0"} when the canary goes to 0 and removes it when a release starts, so
 * the ScaledObject sizes the canary while it runs. Each write also marks the ScaledObject with
 * {@link RampLabels#AUTOSCALER_OF} (the Rollout's name), so that the pause can be found and given
 * back once the Rollout no longer names it ({@link FormerAutoscalers}). Annotations are the only
 * writes Ramp makes to the user's ScaledObject, which a GitSource's drift check does not see (Git
 * does not declare them) unless Git declares them too. Written only when they differ; nothing for
 * an HPA, or when the ScaledObject (or KEDA's CRD) is not there.
 */
public class CanaryScaledObjects {

    public static final String PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas";
    /** The one count Ramp pauses a ScaledObject at. */
    static final String PAUSED_AT_ZERO = "0";

    private final KubernetesClient client;

    public CanaryScaledObjects(KubernetesClient client) {
        this.client = client;
    }

    /** KEDA stops scaling the canary, pinned at 0. */
    public void pause(Rollout rollout) {
        set(rollout, PAUSED_AT_ZERO);
    }

    /** KEDA sizes the canary again. */
    public void resume(Rollout rollout) {
        set(rollout, null);
    }

    private void set(Rollout rollout, String value) {
        AutoscalerRef ref = rollout.getSpec().getAutoscalerRef();
        if (ref == null || ref.isHpa()) {
            return;
        }
        ScaledObject target = client.resources(ScaledObject.class).inNamespace(rollout.getMetadata().getNamespace())
                .withName(ref.getName()).get();
        if (target != null) {
            write(target, value, rollout.getMetadata().getName());
        }
    }

    /** Pins a ScaledObject the Rollout {@code rolloutName} no longer names at 0, still marked as that Rollout's. */
    void hold(ScaledObject object, String rolloutName) {
        write(object, PAUSED_AT_ZERO, rolloutName);
    }

    /**
     * Gives a ScaledObject back as its owner declares it: Ramp's mark removed, and its pause too
     * unless the count is not Ramp's (someone set another than 0).
     */
    void release(ScaledObject object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String paused = annotations == null ? null : annotations.get(PAUSED_REPLICAS);
        write(object, PAUSED_AT_ZERO.equals(paused) ? null : paused, null);
    }

    /** Sets (or, null, removes) the pause and Ramp's mark, in one merge patch, when either differs. */
    private void write(ScaledObject object, String paused, String rolloutName) {
        Map<String, String> current = object.getMetadata().getAnnotations() == null ? Map.of() : object.getMetadata().getAnnotations();
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put(PAUSED_REPLICAS, paused);
        wanted.put(RampLabels.AUTOSCALER_OF, rolloutName);
        Map<String, String> changes = new HashMap<>();
        wanted.forEach((key, value) -> {
            if (!Objects.equals(current.get(key), value)) {
                changes.put(key, value);
            }
        });
        if (changes.isEmpty()) {
            return;
        }
        // Keys are constants and values "0" or a Rollout's name: nothing to escape. A null removes the key.
        String json = changes.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + (e.getValue() == null ? "null" : "\"" + e.getValue() + "\""))
                .collect(Collectors.joining(",", "{\"metadata\":{\"annotations\":{", "}}}"));
        client.resources(ScaledObject.class).inNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }
}
