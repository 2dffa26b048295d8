package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Phase;
import dev.ramp.api.RampLabels;
import dev.ramp.kube.Managed;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Rollout whose target is scaled by a KEDA ScaledObject, against KEDA's own ScaledObject CRD on
 * a real API server (KEDA itself does not run): Ramp's copy {@code <name>-primary} carries the
 * target's triggers and bounds, scales the primary, follows an edit and comes back when deleted.
 */
class ScaledObjectCopyTest {

    private static final ResourceDefinitionContext SCALED_OBJECT = new ResourceDefinitionContext.Builder()
            .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects")
            .withNamespaced(true).build();

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();

    private CanaryFixture fx;

    @BeforeAll
    static void keda() {
        // As installing KEDA would; the operator picks the CRD up while running.
        TestCluster.get().installKeda();
    }

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "keda");
        fx.createTarget("podinfo:1.0");
        client.genericKubernetesResources(SCALED_OBJECT).inNamespace(fx.namespace).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("keda.sh/v1alpha1").withKind("ScaledObject")
                .withNewMetadata().withName("podinfo").withNamespace(fx.namespace).endMetadata()
                .addToAdditionalProperties("spec", Map.of(
                        "scaleTargetRef", Map.of("name", "podinfo"),
                        "minReplicaCount", 2, "maxReplicaCount", 8,
                        "triggers", List.of(Map.of("type", "prometheus", "metadata", Map.of(
                                "serverAddress", "http://prometheus.monitoring:9090",
                                "query", "sum(rate(http_requests_total{app=\"podinfo\"}[1m]))", "threshold", "100")))))
                .build()).create();
        fx.withAutoscaler(new AutoscalerRef(AutoscalerRef.KEDA_API_VERSION, AutoscalerRef.KEDA_KIND, "podinfo"));
        fx.createRollout(List.of(20, 50), "1s", 1, "2s");
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    private GenericKubernetesResource scaledObject(String name) {
        return client.genericKubernetesResources(SCALED_OBJECT).inNamespace(fx.namespace).withName(name).get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource object) {
        return (Map<String, Object>) object.getAdditionalProperties().get("spec");
    }

    private GenericKubernetesResource awaitCopy() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> scaledObject("podinfo-primary"), o -> o != null);
    }

    @Test
    void theCopyScalesThePrimaryWithTheTargetsTriggers() {
        GenericKubernetesResource copy = awaitCopy();
        Map<String, Object> target = spec(scaledObject("podinfo"));

        assertThat(spec(copy).get("scaleTargetRef")).isEqualTo(Map.of("name", "podinfo-primary"));
        assertThat(spec(copy).get("triggers")).isEqualTo(target.get("triggers"));
        assertThat(spec(copy)).containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 8);
        assertThat(copy.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "ramp");
        assertThat(Managed.isGenerated(copy)).isTrue();
        assertThat(target.get("scaleTargetRef")).as("the target's is never written").isEqualTo(Map.of("name", "podinfo"));
    }

    @Test
    void betweenReleasesKedaIsToldToHoldTheCanaryAtZeroAndDuringOneItSizesIt() {
        awaitCopy();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
                scaledObject("podinfo").getMetadata().getAnnotations()).containsEntry("autoscaling.keda.sh/paused-replicas", "0"));

        env.telemetry().serve(fx.namespace, "podinfo", 100, 20);
        fx.release("podinfo:2.0");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            var annotations = scaledObject("podinfo").getMetadata().getAnnotations();
            assertThat(annotations == null ? Map.of() : annotations).doesNotContainKey("autoscaling.keda.sh/paused-replicas");
            assertThat(fx.deployment("podinfo").getSpec().getReplicas()).isPositive();
        });
        fx.awaitPhase(Phase.Succeeded, Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(scaledObject("podinfo").getMetadata().getAnnotations()).containsEntry("autoscaling.keda.sh/paused-replicas", "0");
            assertThat(fx.deployment("podinfo").getSpec().getReplicas()).isZero();
        });
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
    }

    @Test
    void anEditOfTheTargetsScaledObjectReachesTheCopyAndADeletedCopyIsBack() {
        String uid = awaitCopy().getMetadata().getUid();

        client.genericKubernetesResources(SCALED_OBJECT).inNamespace(fx.namespace).withName("podinfo").edit(o -> {
            Map<String, Object> spec = new HashMap<>(spec(o));
            spec.put("maxReplicaCount", 12);
            o.getAdditionalProperties().put("spec", spec);
            return o;
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(spec(scaledObject("podinfo-primary"))).containsEntry("maxReplicaCount", 12));

        client.genericKubernetesResources(SCALED_OBJECT).inNamespace(fx.namespace).withName("podinfo-primary").delete();
        GenericKubernetesResource back = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> scaledObject("podinfo-primary"), o -> o != null && !o.getMetadata().getUid().equals(uid));
        assertThat(spec(back)).containsEntry("maxReplicaCount", 12);
    }

    @Test
    void removingTheAutoscalerRefDeletesTheCopyAndKeepsThePauseOnlyWhileTheScaledObjectScalesTheTarget() {
        awaitCopy();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
                scaledObject("podinfo").getMetadata().getAnnotations())
                .containsEntry("autoscaling.keda.sh/paused-replicas", "0").containsEntry(RampLabels.AUTOSCALER_OF, "podinfo"));

        fx.editRollout(r -> r.getSpec().setAutoscalerRef(null));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(scaledObject("podinfo-primary")).isNull());
        // Still on the target: given back, KEDA would run the canary between releases against Ramp.
        assertThat(scaledObject("podinfo").getMetadata().getAnnotations())
                .containsEntry("autoscaling.keda.sh/paused-replicas", "0").containsEntry(RampLabels.AUTOSCALER_OF, "podinfo");

        client.genericKubernetesResources(SCALED_OBJECT).inNamespace(fx.namespace).withName("podinfo").edit(o -> {
            Map<String, Object> spec = new HashMap<>(spec(o));
            spec.put("scaleTargetRef", Map.of("name", "worker"));
            o.getAdditionalProperties().put("spec", spec);
            return o;
        });

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            var annotations = scaledObject("podinfo").getMetadata().getAnnotations();
            assertThat(annotations == null ? Map.of() : annotations)
                    .doesNotContainKeys("autoscaling.keda.sh/paused-replicas", RampLabels.AUTOSCALER_OF);
        });
        assertThat(fx.deployment("podinfo").getSpec().getReplicas()).isZero();
    }
}
