package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo application's routes as its data plane reads them: the VirtualService's canary weight
 * (through the mesh stand-in), the HTTPRoutes' backendRefs and what the Gateways' controllers
 * wrote of them, and the Service {@code podinfo}'s selector, which without a mesh is the router.
 */
public final class AppRoutes {

    private final Lab lab;
    private final String namespace;

    AppRoutes(Lab lab, String namespace) {
        this.lab = lab;
        this.namespace = namespace;
    }

    /** The canary's weight in the VirtualService as the mesh reads it. */
    public int virtualServiceCanaryWeight() {
        return lab.canaryWeight(namespace);
    }

    /**
     * The canary's weight in the app's HTTPRoutes as Traefik reads them: the weights of backendRefs
     * to a {@code -canary} Service, summed over rules and over the routes for the users' host,
     * {@code podinfo.<namespace>} (0 when there is none).
     */
    public int httpRouteCanaryWeight() {
        return httpRouteWeight("-canary");
    }

    /** The weight of the HTTPRoute's backends whose name ends with {@code suffix} ("-baseline"). */
    public int httpRouteWeight(String suffix) {
        return httpRouteWeights(suffix).get(suffix);
    }

    /**
     * The weights of the HTTPRoutes' backends by the suffix their names end with ("-canary",
     * "-baseline"), from one read of the routes, so that they are of one moment.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Integer> httpRouteWeights(String... suffixes) {
        Map<String, Integer> weights = new TreeMap<>();
        for (String suffix : suffixes) {
            weights.put(suffix, 0);
        }
        for (GenericKubernetesResource route : lab.client().genericKubernetesResources("gateway.networking.k8s.io/v1",
                "HTTPRoute").inNamespace(namespace).list().getItems()) {
            Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
            if (!((List<Object>) spec.getOrDefault("hostnames", List.of())).contains("podinfo." + namespace)) {
                continue;
            }
            for (Object rule : (List<Object>) spec.getOrDefault("rules", List.of())) {
                for (Object ref : (List<Object>) ((Map<String, Object>) rule).getOrDefault("backendRefs", List.of())) {
                    Map<String, Object> backend = (Map<String, Object>) ref;
                    for (String suffix : suffixes) {
                        if (String.valueOf(backend.get("name")).endsWith(suffix)) {
                            // A backendRef's weight defaults to 1.
                            weights.merge(suffix, backend.get("weight") instanceof Number n ? n.intValue() : 1, Integer::sum);
                        }
                    }
                }
            }
        }
        return weights;
    }

    /**
     * What the Gateways' controllers wrote in the app's HTTPRoute {@code podinfo}'s
     * {@code status.parents}, as {@code kubectl get httproute -o yaml} shows it: for each parentRef
     * (by its {@code sectionName}, "" without one) its Accepted condition's status and reason, e.g.
     * {@code {web=True/Accepted, nope=False/NoMatchingParent}}.
     */
    @SuppressWarnings("unchecked")
    public Map<String, String> httpRouteAccepted() {
        GenericKubernetesResource route = lab.client().genericKubernetesResources("gateway.networking.k8s.io/v1",
                "HTTPRoute").inNamespace(namespace).withName("podinfo").get();
        Map<String, String> accepted = new TreeMap<>();
        Object status = route == null ? null : route.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> map) || !(map.get("parents") instanceof List<?> parents)) {
            return accepted;
        }
        for (Object parent : parents) {
            Map<String, Object> p = (Map<String, Object>) parent;
            Object section = ((Map<String, Object>) p.getOrDefault("parentRef", Map.of())).getOrDefault("sectionName", "");
            for (Object condition : (List<Object>) p.getOrDefault("conditions", List.of())) {
                Map<String, Object> c = (Map<String, Object>) condition;
                if ("Accepted".equals(c.get("type"))) {
                    accepted.put(String.valueOf(section), c.get("status") + "/" + c.get("reason"));
                }
            }
        }
        return accepted;
    }

    /** The selector of the Service {@code podinfo}, which without a mesh is the router (docs/no-mesh.md). */
    public Map<String, String> serviceSelector() {
        var svc = lab.client().services().inNamespace(namespace).withName("podinfo").get();
        return svc == null ? Map.of() : svc.getSpec().getSelector();
    }
}
