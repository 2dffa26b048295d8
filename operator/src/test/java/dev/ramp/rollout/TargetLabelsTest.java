package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.RampLabels;
import dev.ramp.testing.IstioTelemetry;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.RampOperator;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ramp caches only the Deployments it manages, against the real kube-apiserver: a target is
 * labelled {@code ramp.dev/rollout} by the Rollout's first pass, keeps the label through a GitOps
 * apply of the user's manifest, gets it back when a write drops it (and the change that write
 * carried is released), and loses it when the Rollout names another target.
 */
class TargetLabelsTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    private final IstioTelemetry telemetry = env.telemetry();
    private final RampOperator operator = env.operator();

    private CanaryFixture fx;

    @BeforeEach
    void namespace() {
        fx = CanaryFixture.inNewNamespace(client, "labels");
    }

    @AfterEach
    void cleanUp() {
        fx.close();
    }

    private void bootstrap() {
        telemetry.serve(fx.namespace, "podinfo", 100, 20);
        fx.createTarget("podinfo:1.0");
        fx.createRollout(List.of(50), "1s", 2, "5s");
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
    }

    @Test
    void anUnrelatedDeploymentIsNotCachedAndTheLabelOutlivesAGitOpsApply() {
        client.resource(deployment("unrelated", "nginx:1")).create();
        bootstrap();

        assertThat(labelOf("podinfo")).isEqualTo("podinfo");
        assertThat(labelOf("podinfo-primary")).isEqualTo("podinfo");
        assertThat(labelOf("unrelated")).isNull();
        assertThat(operator.cachedNames(Deployment.class, fx.namespace)).containsExactly("podinfo", "podinfo-primary");

        // A GitSource or `kubectl apply --server-side` of the user's manifest, which has no such label.
        client.resource(deployment("podinfo", "podinfo:2.0")).fieldManager("gitops").forceConflicts().serverSideApply();
        fx.awaitPhase(Phase.Succeeded, RELEASE);

        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(labelOf("podinfo")).isEqualTo("podinfo");
        assertThat(operator.cachedNames(Deployment.class, fx.namespace)).doesNotContain("unrelated");
    }

    @Test
    void aWriteThatDropsTheLabelIsSeenAndItsChangeReleased() {
        bootstrap();

        // A replace of the whole object (kubectl replace, a client's update) drops the label and changes the image at once.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                client.apps().deployments().inNamespace(fx.namespace).withName("podinfo").edit(d -> new DeploymentBuilder(d)
                        .editMetadata().withLabels(Map.of()).endMetadata()
                        .editSpec().editTemplate().editSpec().editFirstContainer().withImage("podinfo:2.0").endContainer()
                        .endSpec().endTemplate().endSpec().build());
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return false;
                }
                throw e;
            }
        });

        fx.awaitPhase(Phase.Succeeded, RELEASE);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        assertThat(labelOf("podinfo")).isEqualTo("podinfo");
    }

    @Test
    void aTargetRenamedAwayLosesTheLabelAndTheNewOneGetsIt() {
        bootstrap();
        client.resource(deployment("podinfo-next", "podinfo:1.0")).create();

        fx.editRollout(r -> r.getSpec().getTargetRef().setName("podinfo-next"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(labelOf("podinfo-next")).isEqualTo("podinfo");
            assertThat(labelOf("podinfo")).isNull();
        });
        // Ramp's own primary of the former target stays labelled, and cached, as what Ramp generated.
        assertThat(labelOf("podinfo-primary")).isEqualTo("podinfo");
        await().atMost(Duration.ofSeconds(10)).until(() -> !operator.cachedNames(Deployment.class, fx.namespace).contains("podinfo"));
    }

    private String labelOf(String deployment) {
        var labels = fx.deployment(deployment).getMetadata().getLabels();
        return labels == null ? null : labels.get(RampLabels.ROLLOUT);
    }

    private Deployment deployment(String name, String image) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(fx.namespace).endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("podinfo").withImage(image).addNewPort().withContainerPort(9898)
                .endPort().endContainer().endSpec().endTemplate()
                .endSpec().build();
    }
}
