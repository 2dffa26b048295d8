package dev.ramp.cli.testing;

import dev.ramp.api.Rollout;
import dev.ramp.api.TemplateHash;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The objects around a Rollout that the CLI reads: the target Deployment (as a GitSource would
 * apply it, with its commit), the VirtualService and the Events Ramp writes.
 */
public final class World {

    private final KubernetesClient client;
    private final String namespace;

    public World(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** A Deployment {@code name} running {@code image}, applied from {@code commit}. */
    public Deployment target(String name, String image, String commit) {
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToAnnotations("ramp.dev/commit", commit).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(image).endContainer().endSpec()
                .endTemplate().endSpec()
                .build();
        return client.resource(deployment).serverSideApply();
    }

    /** The revision Ramp would record for the target as it is on the server now. */
    public String revision(String name) {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
        return TemplateHash.of(deployment.getSpec().getTemplate());
    }

    /** The VirtualService Ramp writes, with the given weights on its route named primary. */
    public void routes(String service, int primary, int canary) {
        GenericKubernetesResource vs = new GenericKubernetesResource();
        vs.setApiVersion("networking.istio.io/v1");
        vs.setKind("VirtualService");
        vs.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(service).withNamespace(namespace).build());
        vs.setAdditionalProperty("spec", Map.of("hosts", List.of(service), "http", List.of(Map.of("name", "primary",
                "route", List.of(
                        Map.of("destination", Map.of("host", service + "-primary"), "weight", primary),
                        Map.of("destination", Map.of("host", service + "-canary"), "weight", canary))))));
        client.resource(vs).serverSideApply();
    }

    /** An Event about the Rollout, as Ramp's EventRecorder writes it. */
    public void event(Rollout rollout, String type, String reason, String message, Instant at) {
        client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                .withNewMetadata().withGenerateName(rollout.getMetadata().getName() + ".").withNamespace(namespace).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(rollout.getApiVersion())
                        .withKind("Rollout").withName(rollout.getMetadata().getName()).withNamespace(namespace)
                        .withUid(rollout.getMetadata().getUid()).build())
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource("ramp", null).withReportingComponent("ramp")
                .withFirstTimestamp(at.toString()).withLastTimestamp(at.toString()).withCount(1)
                .build()).create();
    }
}
