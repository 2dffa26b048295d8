package dev.ramp.git;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * One Kubernetes object declared in Git: the file and the position of its YAML document in that
 * file (1-based), so that every complaint about it can say where it comes from.
 */
public record Manifest(String file, int document, GenericKubernetesResource object) {

    public String apiVersion() {
        return object.getApiVersion();
    }

    public String kind() {
        return object.getKind();
    }

    public String name() {
        return object.getMetadata().getName();
    }

    /** The namespace, or null for a cluster-scoped object or one that takes the GitSource's namespace. */
    public String namespace() {
        return object.getMetadata().getNamespace();
    }

    /** Where it is in Git: {@code apps/podinfo/deploy.yaml, document 2}. */
    public String location() {
        return file + ", document " + document;
    }

    /** The inventory entry: apiVersion/kind/namespace/name (namespace empty when cluster-scoped). */
    public String id() {
        return InventoryEntry.of(apiVersion(), kind(), namespace(), name()).toString();
    }

    public String describe() {
        return kind() + " " + (namespace() == null ? "" : namespace() + "/") + name();
    }
}
