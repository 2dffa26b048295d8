package dev.ramp.kube;

import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Map;

/**
 * Metadata of the objects Ramp generates for a Rollout: owned by it (deleting the Rollout deletes
 * them), labelled as Ramp's, and marked so that Git syncers leave them alone: Flux skips objects
 * annotated with its reconcile/drift-detection opt-outs, and Ramp's own GitSource skips anything
 * carrying {@link #ROLLOUT_ANNOTATION}.
 */
public final class Managed {

    public static final String FIELD_MANAGER = "ramp";
    public static final String ROLLOUT_ANNOTATION = "ramp.dev/rollout";
    /** Selects what Ramp generated, for informers that watch only those objects. */
    public static final String MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=ramp";

    private Managed() {
    }

    public static ObjectMeta metadata(Rollout owner, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(owner.getMetadata().getNamespace())
                .withLabels(labels)
                .addToLabels("app.kubernetes.io/managed-by", "ramp")
                .addToAnnotations(ROLLOUT_ANNOTATION, owner.getMetadata().getName())
                .addToAnnotations("kustomize.toolkit.fluxcd.io/reconcile", "disabled")
                .addToAnnotations("helm.toolkit.fluxcd.io/driftDetection", "disabled")
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .build();
    }

    public static boolean isManaged(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(ROLLOUT_ANNOTATION);
    }
}
