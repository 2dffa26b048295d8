package dev.ramp.autoscaling;

import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Objects;

/**
 * Holds the target's KEDA ScaledObject at 0 between releases. Unlike an HPA, which does nothing to
 * a Deployment at 0 replicas, KEDA's own loop scales a target up from 0 (to {@code
 * minReplicaCount}, or to 1 when a trigger is active), which would run the canary with no release.
 * KEDA's {@value #PAUSED_REPLICAS} annotation pins the target to a count and stops KEDA scaling it:
 * Ramp sets it to {@code "0"} when the canary goes to 0 and removes it when a release starts, so
 * the ScaledObject sizes the canary while it runs. The one write Ramp makes to the user's
 * ScaledObject: an annotation, which a GitSource's drift check does not see (Git does not declare
 * it) unless Git declares it too. Written only when it differs; nothing for an HPA, or when the
 * ScaledObject (or KEDA's CRD) is not there.
 */
public class CanaryScaledObjects {

    public static final String PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas";

    private final KubernetesClient client;

    public CanaryScaledObjects(KubernetesClient client) {
        this.client = client;
    }

    /** KEDA stops scaling the canary, pinned at 0. */
    public void pause(Rollout rollout) {
        set(rollout, "0");
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
        var resource = client.resources(ScaledObject.class).inNamespace(rollout.getMetadata().getNamespace()).withName(ref.getName());
        ScaledObject target = resource.get();
        if (target == null) {
            return;
        }
        Map<String, String> annotations = target.getMetadata().getAnnotations();
        if (Objects.equals(annotations == null ? null : annotations.get(PAUSED_REPLICAS), value)) {
            return;
        }
        String json = "{\"metadata\":{\"annotations\":{\"" + PAUSED_REPLICAS + "\":" + (value == null ? "null" : "\"" + value + "\"") + "}}}";
        resource.patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }
}
