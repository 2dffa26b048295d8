package dev.ramp.git;

import dev.ramp.api.Rollout;
import dev.ramp.kube.ApiErrors;
import dev.ramp.kube.Managed;
import dev.ramp.api.RampLabels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts Git's objects into the cluster with server-side apply under Ramp's own field manager:
 * prepares them (kind, namespace, commit annotation), validates the whole set with a server-side
 * dry run before anything is written, applies, and prunes what left Git.
 * <p>
 * Every API failure becomes a {@link GitSourceException}: one of the moment (409, 429, 5xx, no
 * answer) is retried and never refuses a commit; a refusal of an object (400, 403, 404, 422) does.
 * <p>
 * The replica count of a Deployment that a Rollout targets belongs to the Rollout (it runs the
 * target as the canary only during a release): Git's value is applied while this field manager
 * still owns the field (creation, bootstrap) and left out once the Rollout has scaled it.
 */
public class ManifestApplier {

    public static final String FIELD_MANAGER = "ramp-gitsource";
    /** The reason of an object refused by the apply itself, after the dry run accepted the whole commit. */
    public static final String APPLY_FAILED = "ApplyFailed";

    private final KubernetesClient client;

    public ManifestApplier(KubernetesClient client) {
        this.client = client;
    }

    public List<DesiredObject> prepare(List<Manifest> manifests, String defaultNamespace, String commit)
            throws GitSourceException {
        try {
            return prepareEach(manifests, defaultNamespace, commit);
        } catch (KubernetesClientException e) {
            throw GitSourceException.fromApi("ValidationFailed", "reading the cluster to prepare commit "
                    + commit.substring(0, Math.min(12, commit.length())), e);
        }
    }

    private List<DesiredObject> prepareEach(List<Manifest> manifests, String defaultNamespace, String commit)
            throws GitSourceException {
        ResourceKinds kinds = new ResourceKinds(client);
        Set<String> rolloutTargets = rolloutTargets(manifests, defaultNamespace);
        List<DesiredObject> desired = new ArrayList<>();
        for (Manifest manifest : manifests) {
            GenericKubernetesResource object = Serialization.clone(manifest.object());
            var definition = kinds.of(manifest.apiVersion(), manifest.kind());
            if (!definition.isNamespaceScoped()) {
                object.getMetadata().setNamespace(null);
            } else if (object.getMetadata().getNamespace() == null) {
                object.getMetadata().setNamespace(defaultNamespace);
            }
            var annotations = object.getMetadata().getAnnotations() == null ? new java.util.HashMap<String, String>()
                    : new java.util.HashMap<>(object.getMetadata().getAnnotations());
            annotations.put(RampLabels.COMMIT_ANNOTATION, commit);
            object.getMetadata().setAnnotations(annotations);
            DesiredObject d = new DesiredObject(manifest, definition, object);
            if (rolloutTargets.contains(d.namespace() + "/" + d.name()) && "Deployment".equals(object.getKind())
                    && !ownsReplicas(resource(d).get())) {
                Object spec = object.getAdditionalProperties().get("spec");
                if (spec instanceof Map<?, ?> map) {
                    map.remove("replicas");
                }
            }
            desired.add(d);
        }
        // Namespaces and CRDs first: other objects may live in them.
        desired.sort(Comparator.comparingInt(ManifestApplier::order));
        return desired;
    }

    /** Whether Git's apply still owns spec.replicas of the live object (or there is none yet). */
    private static boolean ownsReplicas(GenericKubernetesResource live) {
        if (live == null) {
            return true;
        }
        return live.getMetadata().getManagedFields().stream()
                .filter(f -> FIELD_MANAGER.equals(f.getManager()) && f.getFieldsV1() != null)
                .map(f -> f.getFieldsV1().getAdditionalProperties().get("f:spec"))
                .anyMatch(spec -> spec instanceof Map<?, ?> fields && fields.containsKey("f:replicas"));
    }

    private static int order(DesiredObject d) {
        return switch (d.object().getKind()) {
            case "Namespace" -> 0;
            case "CustomResourceDefinition" -> 1;
            default -> 2;
        };
    }

    /**
     * Asks the API server, without changing anything, whether every object would be accepted.
     * The first refusal is reported with the file, the document and the server's words.
     */
    public void validate(List<DesiredObject> desired) throws GitSourceException {
        Set<String> newNamespaces = new HashSet<>();
        for (DesiredObject d : desired) {
            try {
                if ("Namespace".equals(d.object().getKind()) && client.namespaces().withName(d.name()).get() == null) {
                    newNamespaces.add(d.name());
                }
            } catch (KubernetesClientException e) {
                throw GitSourceException.fromApi("ValidationFailed", "reading " + d.describe(), e);
            }
        }
        for (DesiredObject d : desired) {
            if (d.namespace() != null && newNamespaces.contains(d.namespace())) {
                continue; // its namespace is created by this same commit; the apply itself checks it
            }
            try {
                resource(d).dryRun().fieldValidation(Validation.STRICT).fieldManager(FIELD_MANAGER).forceConflicts()
                        .serverSideApply();
            } catch (KubernetesClientException e) {
                throw GitSourceException.fromApi("ValidationFailed", d.describe()
                        + (ApiErrors.isTransient(e) ? " could not be validated" : " was refused by the API server"), e);
            }
        }
    }

    public void apply(DesiredObject d) throws GitSourceException {
        try {
            resource(d).fieldValidation(Validation.STRICT).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw GitSourceException.fromApi(APPLY_FAILED, d.describe() + " could not be applied", e);
        }
    }

    /** The object as server-side apply would make it, without writing it. */
    public GenericKubernetesResource dryRun(DesiredObject d) {
        return resource(d).dryRun().fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    public GenericKubernetesResource live(DesiredObject d) {
        return resource(d).get();
    }

    /**
     * Deletes objects of the previous inventory that Git no longer declares; returns what was
     * deleted. The commit is applied by then, so a failure here never refuses it: it is retried.
     */
    public List<String> prune(List<String> previous, Set<String> current) throws GitSourceException {
        List<String> deleted = new ArrayList<>();
        ResourceKinds kinds = new ResourceKinds(client);
        for (String id : previous) {
            if (current.contains(id)) {
                continue;
            }
            InventoryEntry entry = InventoryEntry.parse(id);
            try {
                var definition = kinds.of(entry.apiVersion(), entry.kind());
                var ops = client.genericKubernetesResources(definition);
                Resource<GenericKubernetesResource> resource = entry.namespace().isEmpty()
                        ? ops.withName(entry.name()) : ops.inNamespace(entry.namespace()).withName(entry.name());
                GenericKubernetesResource live = resource.get();
                if (live != null && !Managed.isManaged(live)) {
                    resource.delete();
                    deleted.add(id);
                }
            } catch (GitSourceException e) {
                // Its kind is no longer served (e.g. its CRD left Git first): nothing is left to delete.
            } catch (KubernetesClientException e) {
                GitSourceException failure = GitSourceException.fromApi("PruneFailed", "deleting " + id
                        + " (it left Git)", e);
                throw new GitSourceException(failure.userFixable() ? "PruneFailed" : failure.reason(),
                        failure.getMessage(), false, e);
            }
        }
        return deleted;
    }

    private Resource<GenericKubernetesResource> resource(DesiredObject d) {
        var ops = client.genericKubernetesResources(d.definition());
        return d.namespace() == null ? ops.resource(d.object()) : ops.inNamespace(d.namespace()).resource(d.object());
    }

    private Set<String> rolloutTargets(List<Manifest> manifests, String defaultNamespace) {
        Set<String> targets = new HashSet<>();
        Set<String> namespaces = new HashSet<>();
        for (Manifest m : manifests) {
            namespaces.add(m.namespace() == null ? defaultNamespace : m.namespace());
            if ("Rollout".equals(m.kind()) && m.apiVersion().startsWith(Rollout.GROUP + "/")) {
                Object spec = m.object().getAdditionalProperties().get("spec");
                if (spec instanceof Map<?, ?> s && s.get("targetRef") instanceof Map<?, ?> ref) {
                    targets.add((m.namespace() == null ? defaultNamespace : m.namespace()) + "/" + ref.get("name"));
                }
            }
        }
        for (String namespace : namespaces) {
            for (Rollout r : client.resources(Rollout.class).inNamespace(namespace).list().getItems()) {
                targets.add(namespace + "/" + r.getSpec().getTargetRef().getName());
            }
        }
        return targets;
    }
}
