package dev.ramp.autoscaling;

import dev.ramp.api.AutoscalerCondition;
import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Rollout;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Why Ramp cannot follow the autoscaler a Rollout names, from the informers' caches: it is not
 * there, it does not scale the target, or (a ScaledObject) KEDA is not installed. Each message
 * names the field. Pure: what the {@code Autoscaler} condition says and whether a copy is written.
 */
public final class AutoscalerProblems {

    /** A reason of {@link AutoscalerCondition} and its message. */
    public record Problem(String reason, String message) {
    }

    private AutoscalerProblems() {
    }

    /** Empty when the Rollout names no autoscaler or its autoscaler scales the target. */
    public static Optional<Problem> of(Rollout rollout, Collection<HorizontalPodAutoscaler> cachedHpas,
            Optional<List<ScaledObject>> cachedScaledObjects) {
        AutoscalerRef ref = rollout.getSpec().getAutoscalerRef();
        if (ref == null) {
            return Optional.empty();
        }
        String namespace = rollout.getMetadata().getNamespace();
        String target = rollout.getSpec().getTargetRef().getName();
        String named = "spec.autoscalerRef: " + ref.getKind() + " " + namespace + "/" + ref.getName();
        if (ref.isHpa()) {
            Optional<HorizontalPodAutoscaler> hpa = PrimaryAutoscalers.targetHpa(rollout, cachedHpas);
            if (hpa.isEmpty()) {
                return Optional.of(new Problem(AutoscalerCondition.NOT_FOUND, named + " not found"));
            }
            var scaled = hpa.get().getSpec().getScaleTargetRef();
            return "Deployment".equals(scaled.getKind()) && target.equals(scaled.getName()) ? Optional.empty()
                    : Optional.of(notOnTarget(named, scaled.getKind() + " " + scaled.getName(), target));
        }
        if (cachedScaledObjects.isEmpty()) {
            return Optional.of(new Problem(AutoscalerCondition.NOT_INSTALLED,
                    named + ": KEDA's CustomResourceDefinition scaledobjects.keda.sh is not installed"));
        }
        Optional<ScaledObject> object = cachedScaledObjects.get().stream()
                .filter(o -> o.getMetadata().getName().equals(ref.getName())).findFirst();
        if (object.isEmpty() || object.get().getSpec() == null) {
            return Optional.of(new Problem(AutoscalerCondition.NOT_FOUND, named + " not found"));
        }
        Object scaled = object.get().getSpec().get("scaleTargetRef");
        Map<?, ?> ref2 = scaled instanceof Map<?, ?> m ? m : Map.of();
        Object kind = ref2.get("kind") == null ? "Deployment" : ref2.get("kind");
        return "Deployment".equals(kind) && Objects.equals(target, ref2.get("name")) ? Optional.empty()
                : Optional.of(notOnTarget(named, kind + " " + ref2.get("name"), target));
    }

    private static Problem notOnTarget(String named, String scaled, String target) {
        return new Problem(AutoscalerCondition.NOT_ON_TARGET, named + " scales " + scaled
                + ", not the target Deployment " + target + "; Ramp copies only an autoscaler of the target");
    }
}
