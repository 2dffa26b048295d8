package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.autoscaling.FormerAutoscalers;
import dev.ramp.autoscaling.PrimaryAutoscalers;
import dev.ramp.autoscaling.ScaledObject;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which objects Ramp takes for its own once a Rollout no longer names their autoscaler: only those it made. */
class FormerAutoscalersTest {

    private static Rollout rollout(AutoscalerRef ref) {
        Rollout rollout = TargetNotFoundTest.rollout("apps", "podinfo", "podinfo");
        rollout.getMetadata().setUid("uid-1");
        rollout.getSpec().setAutoscalerRef(ref);
        return rollout;
    }

    private static AutoscalerRef hpaRef(String name) {
        return new AutoscalerRef(AutoscalerRef.HPA_API_VERSION, AutoscalerRef.HPA_KIND, name);
    }

    private static HorizontalPodAutoscaler targetHpa(String name) {
        return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(name).withNamespace("apps").endMetadata()
                .withNewSpec().withMaxReplicas(5).withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                .withName("podinfo").endScaleTargetRef().endSpec().build();
    }

    /** Ramp's copy of the HPA {@code name}, made for {@code rollout}. */
    private static HorizontalPodAutoscaler copyOf(Rollout rollout, String name) {
        return PrimaryAutoscalers.copyOf(rollout, targetHpa(name));
    }

    @Test
    void withTheReferenceGoneRampsCopyIsFormerAndTheUsersHpaIsNot() {
        Rollout before = rollout(hpaRef("podinfo"));
        HorizontalPodAutoscaler copy = copyOf(before, "podinfo");

        Rollout after = rollout(null);

        assertThat(FormerAutoscalers.formerCopies(after, List.of(targetHpa("podinfo"), copy), AutoscalerRef.HPA_KIND))
                .containsExactly(copy);
        assertThat(FormerAutoscalers.formerCopies(before, List.of(targetHpa("podinfo"), copy), AutoscalerRef.HPA_KIND))
                .as("the copy of the autoscaler named now stays").isEmpty();
    }

    @Test
    void namingAnotherAutoscalerMakesTheFormerCopyFormer() {
        HorizontalPodAutoscaler old = copyOf(rollout(hpaRef("podinfo")), "podinfo");
        Rollout now = rollout(hpaRef("podinfo-v2"));
        HorizontalPodAutoscaler current = copyOf(now, "podinfo-v2");

        assertThat(FormerAutoscalers.formerCopies(now, List.of(old, current), AutoscalerRef.HPA_KIND)).containsExactly(old);
    }

    @Test
    void aLookalikeOrAnotherRolloutsCopyIsNotRamps() {
        Rollout before = rollout(hpaRef("podinfo"));
        HorizontalPodAutoscaler copy = copyOf(before, "podinfo");
        HorizontalPodAutoscaler lookalike = new HorizontalPodAutoscalerBuilder(copy).editMetadata().withOwnerReferences().endMetadata().build();
        HorizontalPodAutoscaler namesakes = new HorizontalPodAutoscalerBuilder(copy).editMetadata()
                .editFirstOwnerReference().withUid("uid-of-an-earlier-podinfo").endOwnerReference().endMetadata().build();

        assertThat(FormerAutoscalers.formerCopies(rollout(null), List.of(lookalike, namesakes), AutoscalerRef.HPA_KIND)).isEmpty();
    }

    @Test
    void aScaledObjectIsFormerlyPausedOnlyWhenMarkedForThisRolloutAndNoLongerNamed() {
        ScaledObject marked = scaledObject("podinfo", Map.of(RampLabels.AUTOSCALER_OF, "podinfo"));
        ScaledObject another = scaledObject("worker", Map.of(RampLabels.AUTOSCALER_OF, "worker"));
        ScaledObject unmarked = scaledObject("plain", Map.of("autoscaling.keda.sh/paused-replicas", "0"));
        List<ScaledObject> all = List.of(marked, another, unmarked);

        assertThat(FormerAutoscalers.formerlyPaused(rollout(null), all)).containsExactly(marked);
        assertThat(FormerAutoscalers.formerlyPaused(rollout(hpaRef("podinfo")), all)).containsExactly(marked);
        assertThat(FormerAutoscalers.formerlyPaused(rollout(
                new AutoscalerRef(AutoscalerRef.KEDA_API_VERSION, AutoscalerRef.KEDA_KIND, "podinfo")), all)).isEmpty();
    }

    private static ScaledObject scaledObject(String name, Map<String, String> annotations) {
        ScaledObject object = new ScaledObject();
        object.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("apps").withAnnotations(annotations).build());
        object.setSpec(Map.of("scaleTargetRef", Map.of("name", "podinfo")));
        return object;
    }
}
