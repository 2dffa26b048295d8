package dev.ramp.cli.status;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the weights Ramp wrote into a Rollout's Istio VirtualService (route
 * {@link RolloutNames#PRIMARY_ROUTE}, destinations named by {@link RolloutNames}), generically, so that the CLI
 * needs no Istio model and works where Istio's CRDs are missing.
 */
final class Routing {

    private static final ResourceDefinitionContext VIRTUAL_SERVICE = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService")
            .withPlural("virtualservices").withNamespaced(true).build();

    private Routing() {
    }

    static Optional<StatusReport.Routing> of(KubernetesClient client, Rollout rollout) {
        if (rollout.getSpec() == null || rollout.getSpec().getTargetRef() == null || rollout.getSpec().getService() == null) {
            return Optional.empty();
        }
        RolloutNames names = RolloutNames.of(rollout);
        String service = names.service();
        GenericKubernetesResource vs;
        try {
            vs = client.genericKubernetesResources(VIRTUAL_SERVICE)
                    .inNamespace(rollout.getMetadata().getNamespace()).withName(service).get();
        } catch (KubernetesClientException e) {
            return Optional.empty(); // no Istio, or no right to read it: the status says what it can
        }
        if (vs == null) {
            return Optional.empty();
        }
        int primary = 0;
        int canary = 0;
        for (Map<String, Object> route : maps(vs.get("spec", "http"))) {
            if (!RolloutNames.PRIMARY_ROUTE.equals(route.get("name"))) {
                continue;
            }
            for (Map<String, Object> destination : maps(route.get("route"))) {
                int weight = destination.get("weight") instanceof Number n ? n.intValue() : 0;
                Object host = destination.get("destination") instanceof Map<?, ?> d ? d.get("host") : null;
                if (names.canaryService().equals(host)) {
                    canary += weight;
                } else {
                    primary += weight;
                }
            }
        }
        return primary + canary == 0 ? Optional.empty() : Optional.of(new StatusReport.Routing(service, primary, canary));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Map.class::isInstance).map(m -> (Map<String, Object>) m).toList();
    }
}
