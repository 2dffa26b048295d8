package dev.ramp.cli;

import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.TemplateHash;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and edits Rollouts in one namespace (or all), with errors a user can read. */
public final class Rollouts {

    private final KubernetesClient client;
    private final String namespace;

    public Rollouts(Cluster cluster) {
        this.client = cluster.client();
        this.namespace = cluster.namespace();
    }

    public String namespace() {
        return namespace;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The Rollout, or a refusal naming what was not found. */
    public Rollout get(String name) {
        Rollout rollout = client.resources(Rollout.class).inNamespace(namespace).withName(name).get();
        if (rollout == null) {
            throw CliException.refused(notFound(name));
        }
        return rollout;
    }

    public List<Rollout> list(boolean allNamespaces) {
        try {
            var rollouts = client.resources(Rollout.class);
            List<Rollout> items = allNamespaces ? rollouts.inAnyNamespace().list().getItems()
                    : rollouts.inNamespace(namespace).list().getItems();
            return items.stream()
                    .sorted(Comparator.comparing((Rollout r) -> r.getMetadata().getNamespace())
                            .thenComparing(r -> r.getMetadata().getName()))
                    .toList();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw CliException.usage("the cluster does not serve rollouts.ramp.dev: are Ramp's CRDs installed?");
            }
            throw e;
        }
    }

    /** Writes the annotation that asks Ramp for a manual action. */
    public Rollout annotate(String name, String key, String value) {
        return mergePatch(name, Map.of("metadata", Map.of("annotations", Map.of(key, value))));
    }

    public Rollout setPaused(String name, boolean paused) {
        return mergePatch(name, Map.of("spec", Map.of("paused", paused)));
    }

    /**
     * What a Rollout's target declares now, when it exists: its revision as Ramp records it (a
     * Deployment's pod template hash; a StatefulSet's {@code status.updateRevision}, its
     * controller's name for the newest template) and the Git commit a GitSource applied it from.
     */
    public Optional<Target> target(Rollout rollout) {
        if (rollout.getSpec() == null || rollout.getSpec().getTargetRef() == null) {
            return Optional.empty();
        }
        String namespace = rollout.getMetadata().getNamespace();
        String name = rollout.getSpec().getTargetRef().getName();
        if (rollout.getSpec().getTargetRef().isStatefulSet()) {
            return Optional.ofNullable(client.apps().statefulSets().inNamespace(namespace).withName(name).get())
                    .map(set -> new Target(set.getStatus() == null ? null : set.getStatus().getUpdateRevision(), commit(set)));
        }
        return Optional.ofNullable(client.apps().deployments().inNamespace(namespace).withName(name).get())
                .filter(d -> d.getSpec() != null && d.getSpec().getTemplate() != null)
                .map(d -> new Target(TemplateHash.of(d.getSpec().getTemplate()), commit(d)));
    }

    /** A Rollout's target as it is now: {@code revision} null while its controller has not named one. */
    public record Target(String revision, String commit) {
    }

    private static String commit(HasMetadata target) {
        Map<String, String> annotations = target.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RampLabels.COMMIT_ANNOTATION);
    }

    private Rollout mergePatch(String name, Map<String, Object> patch) {
        try {
            return client.resources(Rollout.class).inNamespace(namespace).withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw CliException.refused(notFound(name));
            }
            throw e;
        }
    }

    private String notFound(String name) {
        return "rollout \"" + name + "\" not found in namespace \"" + namespace + "\"";
    }
}
