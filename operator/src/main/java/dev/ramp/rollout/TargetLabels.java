package dev.ramp.rollout;

import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ramp's label {@link RampLabels#ROLLOUT} on the objects a Rollout names: its target Deployment or
 * StatefulSet, the target's HorizontalPodAutoscaler, and its primary (generated with the label;
 * one generated before the label existed gets it here). Ramp's informers of those kinds hold only
 * labelled objects ({@link RolloutEventSources}), so an object a Rollout names for the first time
 * is not in their caches: the pass reads it from the API server once and labels it, and the
 * informer's event of the label starts the next pass, which finds it cached. Once labelled, every
 * change to it wakes the Rollout; were the label taken off, the informer reports the object gone,
 * and the next pass reads it and labels it again. A user's object the Rollout no longer names
 * (a target renamed away) has the label taken off; one of a deleted Rollout keeps it (no
 * finalizer runs on deletion), which only keeps it in Ramp's caches.
 */
final class TargetLabels {

    /**
     * The label's own field manager, not {@link Managed#FIELD_MANAGER}: an apply declares
     * everything its manager owns, so an apply of the label alone under "ramp" would drop the
     * StatefulSet partition Ramp applies under that name, and the partition's apply the label.
     */
    static final String FIELD_MANAGER = "ramp-label";
    /** How often a pass looks again for a named object that does not exist: its creation wakes nothing. */
    static final Duration ABSENT_RECHECK = Duration.ofSeconds(5);

    private record Named(Class<? extends HasMetadata> kind, String name) {
    }

    private TargetLabels() {
    }

    /**
     * Labels each object the Rollout names that exists but is not in the informers' caches, and
     * takes the label off the user's objects it no longer names.
     *
     * @return whether an object was labelled: it reaches the caches with the informer's next event
     */
    static boolean label(Context<Rollout> context, Rollout rollout) {
        KubernetesClient client = context.getClient();
        String namespace = rollout.getMetadata().getNamespace();
        String value = RampLabels.rollout(rollout.getMetadata().getName());
        List<Named> named = named(rollout);
        boolean labelled = false;
        for (Named object : named) {
            boolean cached = context.getSecondaryResources(object.kind()).stream()
                    .anyMatch(o -> o.getMetadata().getName().equals(object.name()));
            if (!cached && client.resources(object.kind()).inNamespace(namespace).withName(object.name()).get() != null) {
                apply(client, object.kind(), namespace, object.name(), Map.of(RampLabels.ROLLOUT, value));
                labelled = true;
            }
        }
        for (Class<? extends HasMetadata> kind : List.of(Deployment.class, StatefulSet.class, HorizontalPodAutoscaler.class)) {
            Set<String> names = Set.copyOf(named.stream().filter(n -> n.kind() == kind).map(Named::name).toList());
            RolloutEventSources.labelledFor(informer(context, kind), namespace, value).stream().filter(o -> former(o, value, names))
                    .forEach(o -> apply(client, kind, namespace, o.getMetadata().getName(), Map.of()));
        }
        return labelled;
    }

    /** The objects the Rollout names, which its informers must hold. */
    private static List<Named> named(Rollout rollout) {
        var target = rollout.getSpec().getTargetRef();
        var ref = rollout.getSpec().getAutoscalerRef();
        List<Named> named = new ArrayList<>();
        if (target.isStatefulSet()) {
            named.add(new Named(StatefulSet.class, target.getName()));
        } else {
            named.add(new Named(Deployment.class, target.getName()));
            named.add(new Named(Deployment.class, RolloutNames.of(rollout).primary()));
        }
        if (ref != null && ref.isHpa() && ref.getName() != null) {
            named.add(new Named(HorizontalPodAutoscaler.class, ref.getName()));
        }
        return named;
    }

    /** A user's object labelled for this Rollout that it no longer names; never one Ramp generated. */
    private static boolean former(HasMetadata object, String value, Set<String> named) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && value.equals(labels.get(RampLabels.ROLLOUT)) && !Managed.isGenerated(object)
                && !named.contains(object.getMetadata().getName());
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> InformerEventSource<R, Rollout> informer(Context<Rollout> context, Class<R> kind) {
        return (InformerEventSource<R, Rollout>) context.eventSourceRetriever().getEventSourceFor(kind);
    }

    /**
     * Server-side apply of {@code labels} alone under {@link #FIELD_MANAGER}: the label is set, or,
     * with none, the one this manager set is taken off. A label someone else also set stays.
     */
    private static void apply(KubernetesClient client, Class<? extends HasMetadata> kind, String namespace, String name,
            Map<String, String> labels) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        if (!labels.isEmpty()) {
            metadata.put("labels", labels);
        }
        String desired = Serialization.asJson(Map.of("apiVersion", HasMetadata.getApiVersion(kind),
                "kind", HasMetadata.getKind(kind), "metadata", metadata));
        client.resources(kind).inNamespace(namespace).withName(name).patch(new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(FIELD_MANAGER).withForce(true).build(), desired);
    }
}
