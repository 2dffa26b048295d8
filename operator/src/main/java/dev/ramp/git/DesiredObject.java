package dev.ramp.git;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** A manifest made ready to apply: its kind resolved, its namespace set and its commit annotation added. */
public record DesiredObject(Manifest manifest, ResourceDefinitionContext definition, GenericKubernetesResource object) {

    public String namespace() {
        return object.getMetadata().getNamespace();
    }

    public String name() {
        return object.getMetadata().getName();
    }

    public String id() {
        return InventoryEntry.of(object.getApiVersion(), object.getKind(), namespace(), name()).toString();
    }

    /** {@code Deployment team/podinfo (apps/podinfo.yaml, document 1)}. */
    public String describe() {
        return object.getKind() + " " + (namespace() == null ? "" : namespace() + "/") + name()
                + " (" + manifest.location() + ")";
    }
}
