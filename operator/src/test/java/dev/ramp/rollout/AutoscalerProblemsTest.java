package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.AutoscalerCondition;
import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Rollout;
import dev.ramp.autoscaling.AutoscalerProblems;
import dev.ramp.autoscaling.ScaledObject;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the Autoscaler condition says of the autoscaler a Rollout names. */
class AutoscalerProblemsTest {

    private static Rollout rollout(String kind) {
        Rollout rollout = TargetNotFoundTest.rollout("apps", "podinfo", "podinfo");
        rollout.getSpec().setAutoscalerRef(new AutoscalerRef(
                kind.equals(AutoscalerRef.HPA_KIND) ? AutoscalerRef.HPA_API_VERSION : AutoscalerRef.KEDA_API_VERSION, kind, "podinfo"));
        return rollout;
    }

    private static HorizontalPodAutoscaler hpa(String scales) {
        return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("podinfo").withNamespace("apps").endMetadata()
                .withNewSpec().withMaxReplicas(5).withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                .withName(scales).endScaleTargetRef().endSpec().build();
    }

    private static ScaledObject scaledObject(String scales) {
        ScaledObject object = new ScaledObject();
        object.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("apps").build());
        object.setSpec(Map.of("scaleTargetRef", Map.of("name", scales)));
        return object;
    }

    @Test
    void anHpaOnTheTargetIsFollowed() {
        assertThat(AutoscalerProblems.of(rollout(AutoscalerRef.HPA_KIND), List.of(hpa("podinfo")), Optional.empty())).isEmpty();
    }

    @Test
    void aMissingHpaIsNamedByItsField() {
        assertThat(AutoscalerProblems.of(rollout(AutoscalerRef.HPA_KIND), List.of(), Optional.empty())).hasValueSatisfying(p -> {
            assertThat(p.reason()).isEqualTo(AutoscalerCondition.NOT_FOUND);
            assertThat(p.message()).isEqualTo("spec.autoscalerRef: HorizontalPodAutoscaler apps/podinfo not found");
        });
    }

    @Test
    void anHpaOfAnotherDeploymentIsRefused() {
        assertThat(AutoscalerProblems.of(rollout(AutoscalerRef.HPA_KIND), List.of(hpa("other")), Optional.empty()))
                .hasValueSatisfying(p -> assertThat(p.reason()).isEqualTo(AutoscalerCondition.NOT_ON_TARGET));
    }

    @Test
    void aScaledObjectWithoutKedaInstalledSaysSo() {
        assertThat(AutoscalerProblems.of(rollout(AutoscalerRef.KEDA_KIND), List.of(), Optional.empty())).hasValueSatisfying(p -> {
            assertThat(p.reason()).isEqualTo(AutoscalerCondition.NOT_INSTALLED);
            assertThat(p.message()).contains("scaledobjects.keda.sh is not installed");
        });
    }

    @Test
    void aScaledObjectIsCheckedLikeAnHpa() {
        assertThat(AutoscalerProblems.of(rollout(AutoscalerRef.KEDA_KIND), List.of(), Optional.of(List.of(scaledObject("podinfo")))))
                .isEmpty();
        assertThat(AutoscalerProblems.of(rollout(AutoscalerRef.KEDA_KIND), List.of(), Optional.of(List.of(scaledObject("other")))))
                .hasValueSatisfying(p -> assertThat(p.reason()).isEqualTo(AutoscalerCondition.NOT_ON_TARGET));
        assertThat(AutoscalerProblems.of(rollout(AutoscalerRef.KEDA_KIND), List.of(), Optional.of(List.of()))).hasValueSatisfying(
                p -> assertThat(p.reason()).isEqualTo(AutoscalerCondition.NOT_FOUND));
    }
}
