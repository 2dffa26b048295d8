package dev.ramp.autoscaling;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Map;
import java.util.Objects;

/**
 * KEDA's ScaledObject ({@code keda.sh/v1alpha1}), as much of it as Ramp needs: its spec is copied
 * whole into the primary's copy, so it stays an untyped map (KEDA's triggers are many and grow).
 * Its status is KEDA's and never written.
 */
@Group("keda.sh")
@Version("v1alpha1")
@Kind("ScaledObject")
@Plural("scaledobjects")
public class ScaledObject extends CustomResource<Map<String, Object>, Map<String, Object>> implements Namespaced {

    /** Whether its {@code scaleTargetRef} is the Deployment {@code name} (KEDA's default kind is Deployment). */
    public boolean scalesDeployment(String name) {
        Object ref = getSpec() == null ? null : getSpec().get("scaleTargetRef");
        if (!(ref instanceof Map<?, ?> target)) {
            return false;
        }
        Object kind = target.get("kind") == null ? "Deployment" : target.get("kind");
        return "Deployment".equals(kind) && Objects.equals(name, target.get("name"));
    }
}
