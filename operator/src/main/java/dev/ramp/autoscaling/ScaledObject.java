package dev.ramp.autoscaling;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Map;

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
}
