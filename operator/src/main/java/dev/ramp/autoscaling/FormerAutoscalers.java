package dev.ramp.autoscaling;

import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Ramp undoes once a Rollout no longer names an autoscaler ({@code spec.autoscalerRef}
 * removed, or changed to another): it deletes its copies {@code <name>-primary} of the former one,
 * and gives back the pause it set on a former KEDA ScaledObject. Only what Ramp made: a copy is an
 * object marked as Ramp's ({@link Managed#isGenerated}) whose controller owner reference is this
 * Rollout (its uid, so not a namesake's); a pause is one on a ScaledObject marked {@link RampLabels#AUTOSCALER_OF}
 * with this Rollout's name. The primary keeps the size the copy gave it (Ramp then sizes it as for
 * any Rollout: it keeps its size).
 *
 * <p>A former ScaledObject that still scales the target is not given back: KEDA would scale the
 * target up from 0 between releases, and Ramp, which again sizes the canary itself, would scale it
 * down again, for ever. It stays paused at 0, once the target is at 0 (not mid-release, where the
 * pause would take the canary's pods from under its traffic); it is given back when it scales
 * something else. One that is gone needs nothing.
 */
public class FormerAutoscalers {

    private final KubernetesClient client;
    private final CanaryScaledObjects pauses;

    public FormerAutoscalers(KubernetesClient client) {
        this.client = client;
        this.pauses = new CanaryScaledObjects(client);
    }

    /**
     * Deletes the former copies and sets former pauses right, from the informers' caches of the
     * Rollout's namespace: {@code hpas} every HPA of it, {@code scaledObjects} every ScaledObject
     * (empty when KEDA's CRD is not installed).
     */
    public void clear(Rollout rollout, Deployment target, Collection<HorizontalPodAutoscaler> hpas,
            Optional<List<ScaledObject>> scaledObjects) {
        formerCopies(rollout, hpas, AutoscalerRef.HPA_KIND).forEach(this::delete);
        if (scaledObjects.isEmpty()) {
            return;
        }
        formerCopies(rollout, scaledObjects.get(), AutoscalerRef.KEDA_KIND).forEach(this::delete);
        boolean targetAtZero = Objects.equals(target.getSpec().getReplicas(), 0);
        for (ScaledObject paused : formerlyPaused(rollout, scaledObjects.get())) {
            if (!paused.scalesDeployment(target.getMetadata().getName())) {
                pauses.release(paused);
            } else if (targetAtZero) {
                pauses.hold(paused, rollout.getMetadata().getName());
            }
        }
    }

    /** Ramp's copies for this Rollout among {@code cached} (of kind {@code kind}) but the copy of the autoscaler it names now. */
    public static <T extends HasMetadata> List<T> formerCopies(Rollout rollout, Collection<T> cached, String kind) {
        AutoscalerRef ref = rollout.getSpec().getAutoscalerRef();
        String current = ref != null && kind.equals(ref.getKind()) ? RolloutNames.primaryAutoscalerOf(ref.getName()) : null;
        return cached.stream().filter(o -> isCopyFor(rollout, o) && !o.getMetadata().getName().equals(current)).toList();
    }

    /** The ScaledObjects Ramp marked as this Rollout's that it no longer names. */
    public static List<ScaledObject> formerlyPaused(Rollout rollout, Collection<ScaledObject> cached) {
        AutoscalerRef ref = rollout.getSpec().getAutoscalerRef();
        String current = ref != null && !ref.isHpa() ? ref.getName() : null;
        String name = rollout.getMetadata().getName();
        return cached.stream().filter(o -> {
            Map<String, String> annotations = o.getMetadata().getAnnotations();
            return annotations != null && name.equals(annotations.get(RampLabels.AUTOSCALER_OF))
                    && !o.getMetadata().getName().equals(current);
        }).toList();
    }

    /** Whether Ramp made {@code object} for this Rollout: marked as Ramp's, and the Rollout (by uid) as its controller. */
    static boolean isCopyFor(Rollout rollout, HasMetadata object) {
        String uid = rollout.getMetadata().getUid();
        return Managed.isGenerated(object) && uid != null && object.getMetadata().getOwnerReferences() != null
                && object.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid()));
    }

    private void delete(HasMetadata copy) {
        client.resource(copy).delete();
    }
}
