package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestClusterResource;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator, started as the Quarkus application against the real kube-apiserver, reports a
 * Rollout whose target is missing, and neither retries nor re-reports in a loop; a target created
 * later is found and labelled.
 */
@QuarkusTest
@QuarkusTestResource(value = TestClusterResource.class, restrictToAnnotatedClass = true)
class TargetNotFoundTest {

    private final KubernetesClient client = TestCluster.get().client();

    @Test
    void aRolloutWithoutItsDeploymentGetsTargetNotFoundOnce() throws InterruptedException {
        String namespace = TestCluster.get().newNamespace("target");
        client.resource(rollout(namespace, "podinfo", "podinfo")).create();

        Condition ready = await().atMost(Duration.ofSeconds(60)).until(() -> readyCondition(namespace, "podinfo"),
                c -> c != null && "TargetNotFound".equals(c.getReason()));
        assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(ready.getMessage()).contains("Deployment " + namespace + "/podinfo not found");

        // No retry storm: the status is written once and left alone while nothing changes.
        String resourceVersion = rolloutIn(namespace, "podinfo").getMetadata().getResourceVersion();
        Thread.sleep(5_000);
        assertThat(rolloutIn(namespace, "podinfo").getMetadata().getResourceVersion())
                .as("the Rollout is not rewritten while its target stays missing").isEqualTo(resourceVersion);
        List<Event> events = client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> "TargetNotFound".equals(e.getReason())).toList();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getType()).isEqualTo("Warning");
        assertThat(events.get(0).getInvolvedObject().getName()).isEqualTo("podinfo");

        // Created later, the target carries no label of Ramp's, so its creation wakes nothing the
        // informers hold: the Rollout looks for it again every few seconds, finds it and labels it.
        client.apps().deployments().resource(new DeploymentBuilder()
                .withNewMetadata().withName("podinfo").withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "podinfo").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "podinfo").endMetadata()
                .withNewSpec().addNewContainer().withName("podinfo").withImage("podinfo:1.0").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        // Found: the pass goes on to create the primary (Initializing), which no kubelet here runs.
        await().atMost(Duration.ofSeconds(30)).until(() -> readyCondition(namespace, "podinfo"),
                c -> c != null && !"TargetNotFound".equals(c.getReason()));
        assertThat(client.apps().deployments().inNamespace(namespace).withName("podinfo").get().getMetadata().getLabels())
                .containsEntry(RampLabels.ROLLOUT, "podinfo");
    }

    private Condition readyCondition(String namespace, String name) {
        Rollout rollout = rolloutIn(namespace, name);
        return rollout == null || rollout.getStatus() == null ? null
                : Conditions.find(rollout.getStatus().getConditions(), RolloutConditions.READY).orElse(null);
    }

    private Rollout rolloutIn(String namespace, String name) {
        return client.resources(Rollout.class).inNamespace(namespace).withName(name).get();
    }

    static Rollout rollout(String namespace, String name, String target) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef(target));
        ServiceSpec service = new ServiceSpec();
        service.setPort(9898);
        spec.setService(service);
        rollout.setSpec(spec);
        return rollout;
    }
}
