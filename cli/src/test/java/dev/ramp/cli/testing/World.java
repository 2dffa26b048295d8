package dev.ramp.cli.testing;

import dev.ramp.api.Rollout;
import dev.ramp.api.TemplateHash;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The objects around a Rollout that the CLI reads: the target Deployment (as a GitSource would
 * apply it, with its commit), the route (VirtualService, HTTPRoute, GRPCRoute) and the Events Ramp
 * writes, and what a Gateway's controller reports of a route.
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
        routes(service, List.of(Map.of("destination", Map.of("host", service + "-primary"), "weight", primary),
                Map.of("destination", Map.of("host", service + "-canary"), "weight", canary)));
    }

    /** The same VirtualService with a baseline (analysis.baseline): a third destination, the baseline Service. */
    public void routes(String service, int primary, int canary, int baseline) {
        routes(service, List.of(Map.of("destination", Map.of("host", service + "-primary"), "weight", primary),
                Map.of("destination", Map.of("host", service + "-canary"), "weight", canary),
                Map.of("destination", Map.of("host", service + "-baseline"), "weight", baseline)));
    }

    private void routes(String service, List<Map<String, Object>> destinations) {
        GenericKubernetesResource vs = new GenericKubernetesResource();
        vs.setApiVersion("networking.istio.io/v1");
        vs.setKind("VirtualService");
        vs.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(service).withNamespace(namespace).build());
        vs.setAdditionalProperty("spec", Map.of("hosts", List.of(service), "http", List.of(Map.of("name", "primary",
                "route", destinations))));
        client.resource(vs).serverSideApply();
    }

    /**
     * The HTTPRoute Ramp writes for provider GatewayAPI, its rule named primary split by the given
     * weights, attached to the Gateways {@code parents} (namespace/name), and the status their
     * controller writes (through the status subresource): each Accepted, or refused with the
     * reason {@code refusals} gives for it.
     */
    public void httpRoute(String service, int primary, int canary, List<String> parents, Map<String, String> refusals) {
        HTTPRoute route = new HTTPRouteBuilder().withNewMetadata().withName(service).withNamespace(namespace).endMetadata()
                .withNewSpec().withParentRefs(parentRefs(parents))
                .addNewRule().withName("primary").withBackendRefs(
                        new HTTPBackendRefBuilder().withName(service + "-primary").withPort(9898).withWeight(primary).build(),
                        new HTTPBackendRefBuilder().withName(service + "-canary").withPort(9898).withWeight(canary).build())
                .endRule().endSpec().build();
        route = client.resource(route).serverSideApply();
        route.setStatus(new HTTPRouteStatus(reports(route.getMetadata().getGeneration(), parents, refusals)));
        client.resource(route).updateStatus();
    }

    /** The GRPCRoute Ramp writes for {@code protocol: GRPC}, reported Accepted by no controller yet. */
    public void grpcRoute(String service, int primary, int canary, List<String> parents) {
        GRPCRoute route = new GRPCRouteBuilder().withNewMetadata().withName(service).withNamespace(namespace).endMetadata()
                .withNewSpec().withParentRefs(parentRefs(parents))
                .addNewRule().withName("primary").withBackendRefs(
                        new GRPCBackendRefBuilder().withName(service + "-primary").withPort(9898).withWeight(primary).build(),
                        new GRPCBackendRefBuilder().withName(service + "-canary").withPort(9898).withWeight(canary).build())
                .endRule().endSpec().build();
        client.resource(route).serverSideApply();
    }

    private static List<ParentReference> parentRefs(List<String> parents) {
        return parents.stream().map(p -> new ParentReferenceBuilder().withGroup("gateway.networking.k8s.io").withKind("Gateway")
                .withNamespace(p.split("/")[0]).withName(p.split("/")[1]).build()).toList();
    }

    private static List<RouteParentStatus> reports(long generation, List<String> parents, Map<String, String> refusals) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return parents.stream().map(p -> {
            String refusal = refusals.get(p);
            RouteParentStatus status = new RouteParentStatus();
            status.setControllerName("example.com/gateway-controller");
            status.setParentRef(parentRefs(List.of(p)).get(0));
            status.setConditions(List.of(new ConditionBuilder().withType("Accepted").withStatus(refusal == null ? "True" : "False")
                    .withReason(refusal == null ? "Accepted" : refusal)
                    .withMessage(refusal == null ? "Route is accepted" : "no listener admits the route")
                    .withObservedGeneration(generation).withLastTransitionTime(now).build()));
            return status;
        }).toList();
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
