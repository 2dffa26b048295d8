package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.AutoscalerCondition;
import dev.ramp.api.AutoscalerRef;
import dev.ramp.api.Phase;
import dev.ramp.kube.Managed;
import dev.ramp.testing.RampEnvironment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An autoscaled Rollout on a real API server: Ramp makes and keeps {@code podinfo-primary}, its
 * copy of the target's HPA scaling the primary, and a promotion leaves the primary's size to it.
 * No HPA controller runs here: the test scales the primary itself, as the HPA would.
 */
class AutoscalerCopyTest {

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "autoscaled");
        fx.createTarget("podinfo:1.0");
        client.resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName("podinfo").withNamespace(fx.namespace).endMetadata()
                .withNewSpec().withMinReplicas(2).withMaxReplicas(10)
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("podinfo").endScaleTargetRef()
                .addNewMetric().withType("Resource").withNewResource().withName("cpu")
                .withNewTarget().withType("Utilization").withAverageUtilization(80).endTarget().endResource().endMetric()
                .endSpec().build()).create();
        fx.withAutoscaler(new AutoscalerRef(AutoscalerRef.HPA_API_VERSION, AutoscalerRef.HPA_KIND, "podinfo"));
        fx.createRollout(List.of(20, 50), "1s", 1, "2s");
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    private Resource<HorizontalPodAutoscaler> hpa(String name) {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(fx.namespace).withName(name);
    }

    private HorizontalPodAutoscaler awaitCopy() {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> hpa("podinfo-primary").get(), h -> h != null);
    }

    @Test
    void thePrimarysCopyScalesThePrimaryWithTheTargetsBoundsAndMetrics() {
        HorizontalPodAutoscaler copy = awaitCopy();
        HorizontalPodAutoscaler target = hpa("podinfo").get();

        assertThat(copy.getSpec().getScaleTargetRef().getName()).isEqualTo("podinfo-primary");
        assertThat(copy.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(copy.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(copy.getSpec().getMetrics()).isEqualTo(target.getSpec().getMetrics());
        assertThat(copy.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "ramp");
        assertThat(Managed.isGenerated(copy)).as("the GitSource leaves it alone").isTrue();
        assertThat(copy.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("podinfo"));
        assertThat(target.getSpec().getScaleTargetRef().getName()).as("the target's HPA is never written").isEqualTo("podinfo");
    }

    @Test
    void anEditOfTheTargetsHpaReachesTheCopy() {
        awaitCopy();

        hpa("podinfo").edit(h -> new HorizontalPodAutoscalerBuilder(h).editSpec().withMaxReplicas(20).withMinReplicas(3).endSpec().build());

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HorizontalPodAutoscaler copy = hpa("podinfo-primary").get();
            assertThat(copy.getSpec().getMaxReplicas()).isEqualTo(20);
            assertThat(copy.getSpec().getMinReplicas()).isEqualTo(3);
            assertThat(copy.getSpec().getScaleTargetRef().getName()).isEqualTo("podinfo-primary");
        });
    }

    @Test
    void anHpaThatScalesAnotherDeploymentIsReportedAndNotCopied() {
        awaitCopy();
        assertThat(condition().getStatus()).isEqualTo("True");

        hpa("podinfo").edit(h -> new HorizontalPodAutoscalerBuilder(h).editSpec().withMaxReplicas(30)
                .editScaleTargetRef().withName("someone-else").endScaleTargetRef().endSpec().build());

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            var condition = condition();
            assertThat(condition.getStatus()).isEqualTo("False");
            assertThat(condition.getReason()).isEqualTo(AutoscalerCondition.NOT_ON_TARGET);
            assertThat(condition.getMessage()).startsWith("spec.autoscalerRef: HorizontalPodAutoscaler " + fx.namespace + "/podinfo")
                    .contains("scales Deployment someone-else, not the target Deployment podinfo");
        });
        assertThat(hpa("podinfo-primary").get().getSpec().getMaxReplicas()).as("nothing copied from it").isEqualTo(10);
    }

    private io.fabric8.kubernetes.api.model.Condition condition() {
        return fx.rollout().getStatus().getConditions().stream()
                .filter(c -> AutoscalerCondition.TYPE.equals(c.getType())).findFirst().orElseThrow();
    }

    @Test
    void aDeletedCopyIsBack() {
        String uid = awaitCopy().getMetadata().getUid();

        hpa("podinfo-primary").delete();

        HorizontalPodAutoscaler back = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> hpa("podinfo-primary").get(), h -> h != null && !h.getMetadata().getUid().equals(uid));
        assertThat(back.getSpec().getScaleTargetRef().getName()).isEqualTo("podinfo-primary");
    }

    @Test
    void aPromotionLeavesThePrimarysSizeToItsAutoscaler() {
        awaitCopy();
        env.telemetry().serve(fx.namespace, "podinfo", 100, 20);
        // The primary's HPA scaled it to 6 under load (as kube-controller-manager would, through /scale).
        client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-primary").scale(6);

        fx.release("podinfo:2.0");
        fx.awaitPhase(Phase.Succeeded, Duration.ofSeconds(90));

        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        var primary = fx.deployment("podinfo-primary");
        assertThat(primary.getSpec().getReplicas()).as("no drop to minReplicas").isEqualTo(6);
        // Nor did Ramp re-assert a count of its own: the size stays the autoscaler's field.
        assertThat(primary.getMetadata().getManagedFields())
                .filteredOn(f -> Managed.FIELD_MANAGER.equals(f.getManager()))
                .allSatisfy(f -> assertThat(String.valueOf(f.getFieldsV1().getAdditionalProperties())).doesNotContain("f:replicas"));
        await().atMost(Duration.ofSeconds(10)).until(() -> fx.deployment("podinfo").getSpec().getReplicas() == 0);
    }

    @Test
    void removingTheAutoscalerRefDeletesRampsCopyOnlyAndThePrimaryKeepsItsSize() {
        HorizontalPodAutoscaler copy = awaitCopy();
        client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-primary").scale(4);
        // Looks like Ramp's (label, annotation) but no Rollout owns it: not Ramp's to delete.
        client.resource(new HorizontalPodAutoscalerBuilder(copy).withNewMetadata().withName("lookalike-primary")
                .withNamespace(fx.namespace).withLabels(copy.getMetadata().getLabels())
                .withAnnotations(copy.getMetadata().getAnnotations()).endMetadata().build()).create();

        fx.editRollout(r -> r.getSpec().setAutoscalerRef(null));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(hpa("podinfo-primary").get()).isNull());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
                fx.rollout().getStatus().getConditions()).noneMatch(c -> AutoscalerCondition.TYPE.equals(c.getType())));
        assertThat(hpa("lookalike-primary").get()).as("not owned by the Rollout").isNotNull();
        assertThat(hpa("podinfo").get()).as("the target's, the user's").isNotNull();
        assertThat(fx.deployment("podinfo-primary").getSpec().getReplicas()).as("the size its HPA gave it").isEqualTo(4);
    }

    @Test
    void namingAnotherAutoscalerReplacesTheCopy() {
        awaitCopy();
        client.resource(new HorizontalPodAutoscalerBuilder(hpa("podinfo").get()).withNewMetadata().withName("podinfo-v2")
                .withNamespace(fx.namespace).endMetadata().editSpec().withMinReplicas(3).withMaxReplicas(6).endSpec().build()).create();
        hpa("podinfo").delete();

        fx.editRollout(r -> r.getSpec().setAutoscalerRef(
                new AutoscalerRef(AutoscalerRef.HPA_API_VERSION, AutoscalerRef.HPA_KIND, "podinfo-v2")));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(hpa("podinfo-primary").get()).isNull();
            HorizontalPodAutoscaler copy = hpa("podinfo-v2-primary").get();
            assertThat(copy).isNotNull();
            assertThat(copy.getSpec().getMinReplicas()).isEqualTo(3);
            assertThat(copy.getSpec().getScaleTargetRef().getName()).isEqualTo("podinfo-primary");
        });
    }

    @Test
    void theCopyIsOwnedByTheRolloutSoDeletingTheRolloutDeletesIt() {
        // This API server runs no garbage collector (no kube-controller-manager): the owner
        // reference is what a cluster's collector deletes the copy by. AutoscaledReleaseTest sees
        // it go on the lab's real cluster.
        HorizontalPodAutoscaler copy = awaitCopy();
        assertThat(copy.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo(fx.rollout().getMetadata().getUid());
            assertThat(o.getController()).isTrue();
            assertThat(o.getKind()).isEqualTo("Rollout");
        });
    }
}
