package dev.ramp.autoscaling;

import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Ramp's copy of the target's HorizontalPodAutoscaler, {@code <name>-primary}, scaling the
 * primary: the target's spec (bounds, metrics, behavior) with its {@code scaleTargetRef} pointed
 * at the primary. It is desired state like the Services: derived at every reconcile from the
 * target's autoscaler as the informer's cache holds it (already defaulted by the API server, so
 * the copy compares equal to what the server stores), and written by server-side apply only when
 * missing or different, so an edit of the target's HPA in Git reaches the copy and a deleted copy
 * comes back. It carries Ramp's generated-object metadata ({@link Managed#metadata}), so the
 * GitSource and Flux leave it alone and deleting the Rollout deletes it. Ramp never writes the
 * target's autoscaler. A KEDA ScaledObject is copied the same way ({@link #reconcileScaledObject}):
 * its whole spec (triggers included), {@code scaleTargetRef.name} on the primary.
 */
public class PrimaryAutoscalers {

    private final KubernetesClient client;

    public PrimaryAutoscalers(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Applies the copy of {@code targetHpa} unless one of {@code cachedCopies} already matches;
     * nothing when the Rollout names no HPA or its HPA is not there (nothing to copy yet).
     */
    public void reconcile(Rollout rollout, Optional<HorizontalPodAutoscaler> targetHpa,
            Collection<HorizontalPodAutoscaler> cachedCopies) {
        AutoscalerRef ref = rollout.getSpec().getAutoscalerRef();
        if (ref == null || !ref.isHpa() || targetHpa.isEmpty()
                || AutoscalerProblems.of(rollout, targetHpa.stream().toList(), Optional.empty()).isPresent()) {
            return;
        }
        HorizontalPodAutoscaler desired = copyOf(rollout, targetHpa.get());
        Optional<HorizontalPodAutoscaler> live = cachedCopies.stream()
                .filter(h -> h.getMetadata().getName().equals(desired.getMetadata().getName())).findFirst();
        if (live.isEmpty() || !Objects.equals(live.get().getSpec(), desired.getSpec()) || !Managed.isManaged(live.get())) {
            client.resource(desired).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
        }
    }

    /** The primary's HPA: the target's spec, scaling {@code <target>-primary}. */
    public static HorizontalPodAutoscaler copyOf(Rollout rollout, HorizontalPodAutoscaler targetHpa) {
        String name = RolloutNames.primaryAutoscalerOf(targetHpa.getMetadata().getName());
        HorizontalPodAutoscalerSpec spec = new HorizontalPodAutoscalerSpecBuilder(targetHpa.getSpec())
                .editScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                .withName(RolloutNames.of(rollout).primary()).endScaleTargetRef()
                .build();
        return new HorizontalPodAutoscalerBuilder()
                .withMetadata(Managed.metadata(rollout, name, Map.of("app.kubernetes.io/name", name)))
                .withSpec(spec)
                .build();
    }

    /**
     * Applies the copy of the target's ScaledObject unless {@code cached} (the Rollout's
     * ScaledObjects, the target's and the copy, from the informer's cache) already holds a match.
     * {@code cached} empty: KEDA's CRD is not installed, nothing to do.
     */
    public void reconcileScaledObject(Rollout rollout, Optional<List<ScaledObject>> cached) {
        AutoscalerRef ref = rollout.getSpec().getAutoscalerRef();
        if (ref == null || ref.isHpa() || AutoscalerProblems.of(rollout, List.of(), cached).isPresent()) {
            return;
        }
        Optional<ScaledObject> found = cached.get().stream().filter(o -> o.getMetadata().getName().equals(ref.getName())).findFirst();
        if (found.isEmpty() || found.get().getSpec() == null) {
            return;
        }
        ScaledObject target = found.get();
        List<ScaledObject> cachedCopies = cached.get();
        ScaledObject desired = copyOf(rollout, target);
        Optional<ScaledObject> live = cachedCopies.stream()
                .filter(o -> o.getMetadata().getName().equals(desired.getMetadata().getName())).findFirst();
        if (live.isEmpty() || !Objects.equals(live.get().getSpec(), desired.getSpec()) || !Managed.isManaged(live.get())) {
            client.resource(desired).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
        }
    }

    /**
     * The primary's ScaledObject: the target's spec, scaling {@code <target>-primary}. A custom name
     * for the HPA KEDA makes ({@code advanced.horizontalPodAutoscalerConfig.name}) gets the same
     * suffix, so the two ScaledObjects' HPAs never share a name.
     */
    @SuppressWarnings("unchecked")
    public static ScaledObject copyOf(Rollout rollout, ScaledObject target) {
        String name = RolloutNames.primaryAutoscalerOf(target.getMetadata().getName());
        Map<String, Object> spec = deepCopy(target.getSpec());
        Map<String, Object> scaleTargetRef = (Map<String, Object>) spec.computeIfAbsent("scaleTargetRef", k -> new HashMap<>());
        scaleTargetRef.put("name", RolloutNames.of(rollout).primary());
        if (spec.get("advanced") instanceof Map<?, ?> advanced
                && advanced.get("horizontalPodAutoscalerConfig") instanceof Map<?, ?> hpa
                && hpa.get("name") instanceof String hpaName) {
            ((Map<String, Object>) hpa).put("name", RolloutNames.primaryAutoscalerOf(hpaName));
        }
        ScaledObject copy = new ScaledObject();
        copy.setMetadata(new ObjectMetaBuilder(Managed.metadata(rollout, name, Map.of("app.kubernetes.io/name", name))).build());
        copy.setSpec(spec);
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> map) {
        Map<String, Object> copy = new HashMap<>();
        map.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m)
                : v instanceof List<?> l ? l.stream().map(e -> e instanceof Map<?, ?> em ? deepCopy((Map<String, Object>) em) : e).toList() : v));
        return copy;
    }

    /** The target's HPA, if the Rollout names one and {@code cached} holds it. */
    public static Optional<HorizontalPodAutoscaler> targetHpa(Rollout rollout, Collection<HorizontalPodAutoscaler> cached) {
        AutoscalerRef ref = rollout.getSpec().getAutoscalerRef();
        if (ref == null || !ref.isHpa()) {
            return Optional.empty();
        }
        return cached.stream().filter(h -> h.getMetadata().getName().equals(ref.getName())
                && Objects.equals(h.getMetadata().getNamespace(), rollout.getMetadata().getNamespace())).findFirst();
    }
}
