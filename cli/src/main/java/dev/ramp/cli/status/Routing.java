package dev.ramp.cli.status;

import dev.ramp.api.ForeignText;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RouteKind;
import dev.ramp.api.RoutingCondition;
import dev.ramp.api.TargetRef;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the weights Ramp wrote into a Rollout's route, of the kind {@link RouteKind#of} names and
 * named {@link RolloutNames#route()}: the VirtualService's http route or the HTTPRoute's or
 * GRPCRoute's rule {@link RolloutNames#PRIMARY_ROUTE}, split between the canary Service, the
 * baseline Service (analysis.baseline) and the rest; without a mesh (provider None) the shares of the pods the Service selects. For the Gateway API also what each parent Gateway's controller reports of the route
 * ({@code status.parents}), beside the operator's own verdict, the Rollout's
 * {@value RoutingCondition#ACCEPTED_TYPE} condition. The VirtualService is read generically, so
 * that the CLI works where Istio's CRDs are missing; a route kind not installed, or not readable,
 * leaves routing out.
 */
final class Routing {

    private static final ResourceDefinitionContext VIRTUAL_SERVICE = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService")
            .withPlural("virtualservices").withNamespaced(true).build();
    private static final String ACCEPTED = "Accepted";
    private static final String RESOLVED_REFS = "ResolvedRefs";
    private static final int QUOTED = 200;

    private Routing() {
    }

    static Optional<StatusReport.Routing> of(KubernetesClient client, Rollout rollout) {
        if (rollout.getSpec() == null || rollout.getSpec().getTargetRef() == null || rollout.getSpec().getService() == null) {
            return Optional.empty();
        }
        RolloutNames names = RolloutNames.of(rollout);
        RouteKind kind = RouteKind.of(rollout.getSpec().getService());
        try {
            // Behind a router a StatefulSet's split is its route's, as a Deployment's.
            if (rollout.getSpec().getTargetRef().isStatefulSet() && kind == RouteKind.Service) {
                return partition(client.apps().statefulSets().inNamespace(names.namespace()).withName(names.target()).get());
            }
            return switch (kind) {
                case VirtualService -> virtualService(client, names);
                case HTTPRoute -> gatewayApi(rollout, names, kind, client.resources(HTTPRoute.class)
                        .inNamespace(names.namespace()).withName(names.route()).get());
                case GRPCRoute -> gatewayApi(rollout, names, kind, client.resources(GRPCRoute.class)
                        .inNamespace(names.namespace()).withName(names.route()).get());
                case Service -> pods(client, names);
            };
        } catch (KubernetesClientException e) {
            return Optional.empty(); // the kind not installed, or no right to read it: the status says what it can
        }
    }

    private static Optional<StatusReport.Routing> virtualService(KubernetesClient client, RolloutNames names) {
        GenericKubernetesResource vs = client.genericKubernetesResources(VIRTUAL_SERVICE)
                .inNamespace(names.namespace()).withName(names.route()).get();
        if (vs == null) {
            return Optional.empty();
        }
        Weights weights = new Weights();
        for (Map<String, Object> route : maps(vs.get("spec", "http"))) {
            if (RolloutNames.PRIMARY_ROUTE.equals(route.get("name"))) {
                for (Map<String, Object> destination : maps(route.get("route"))) {
                    Object host = destination.get("destination") instanceof Map<?, ?> d ? d.get("host") : null;
                    weights.add(names, host, destination.get("weight") instanceof Number n ? n.intValue() : 0);
                }
            }
        }
        return weights.total() == 0 ? Optional.empty()
                : Optional.of(new StatusReport.Routing(RouteKind.VirtualService.name(), names.route(), weights.primary,
                        weights.canary, weights.baseline, null, null, null));
    }

    /**
     * Without a mesh: the share of the pods the Service selects, the primary's and the canary's
     * (the target's), by their Deployments' replicas; the same arithmetic as the operator's.
     */
    private static Optional<StatusReport.Routing> pods(KubernetesClient client, RolloutNames names) {
        Service service = client.services().inNamespace(names.namespace()).withName(names.service()).get();
        if (service == null || service.getSpec() == null || service.getSpec().getSelector() == null
                || service.getSpec().getSelector().isEmpty()) {
            return Optional.empty();
        }
        int primary = selected(service, client.apps().deployments().inNamespace(names.namespace()).withName(names.primary()).get());
        int canary = selected(service, client.apps().deployments().inNamespace(names.namespace()).withName(names.target()).get());
        if (primary + canary == 0) {
            return Optional.empty();
        }
        int share = (int) Math.round(100.0 * canary / (primary + canary));
        return Optional.of(new StatusReport.Routing(RouteKind.Service.name(), names.service(), 100 - share, share, null, null, null,
                null));
    }

    /**
     * A StatefulSet released by its partition (docs/statefulsets.md): the canary's share is the
     * share of its ordinals at or above the partition, which run the release's revision; the same
     * arithmetic as the operator's. At rest the partition is the replica count: all on the primary.
     */
    private static Optional<StatusReport.Routing> partition(StatefulSet set) {
        if (set == null || set.getSpec() == null || set.getSpec().getReplicas() == null || set.getSpec().getReplicas() <= 0) {
            return Optional.empty();
        }
        int replicas = set.getSpec().getReplicas();
        var rolling = set.getSpec().getUpdateStrategy() == null ? null : set.getSpec().getUpdateStrategy().getRollingUpdate();
        int partition = rolling == null || rolling.getPartition() == null ? 0 : Math.max(0, Math.min(replicas, rolling.getPartition()));
        int share = (int) Math.round(100.0 * (replicas - partition) / replicas);
        return Optional.of(new StatusReport.Routing(TargetRef.STATEFUL_SET, set.getMetadata().getName(), 100 - share, share, null,
                null, null, null));
    }

    /** The Deployment's replicas when the Service selects its pods, else 0. */
    private static int selected(Service service, Deployment deployment) {
        if (deployment == null || deployment.getSpec() == null || deployment.getSpec().getTemplate().getMetadata() == null) {
            return 0;
        }
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        Integer replicas = deployment.getSpec().getReplicas();
        return labels != null && labels.entrySet().containsAll(service.getSpec().getSelector().entrySet()) && replicas != null
                ? replicas : 0;
    }

    private static Optional<StatusReport.Routing> gatewayApi(Rollout rollout, RolloutNames names, RouteKind kind,
            HasMetadata route) {
        if (route == null) {
            return Optional.empty();
        }
        Weights weights = new Weights();
        List<RouteParentStatus> parents;
        if (route instanceof HTTPRoute http) {
            listOf(http.getSpec() == null ? null : http.getSpec().getRules()).stream()
                    .filter(r -> RolloutNames.PRIMARY_ROUTE.equals(r.getName())).flatMap(r -> listOf(r.getBackendRefs()).stream())
                    .forEach(b -> weights.add(names, b.getName(), weight(b.getWeight())));
            parents = http.getStatus() == null ? null : http.getStatus().getParents();
        } else {
            GRPCRoute grpc = (GRPCRoute) route;
            listOf(grpc.getSpec() == null ? null : grpc.getSpec().getRules()).stream()
                    .filter(r -> RolloutNames.PRIMARY_ROUTE.equals(r.getName())).flatMap(r -> listOf(r.getBackendRefs()).stream())
                    .forEach(b -> weights.add(names, b.getName(), weight(b.getWeight())));
            parents = grpc.getStatus() == null ? null : grpc.getStatus().getParents();
        }
        Optional<Condition> accepted = rollout.getStatus() == null || rollout.getStatus().getConditions() == null ? Optional.empty()
                : rollout.getStatus().getConditions().stream().filter(c -> RoutingCondition.ACCEPTED_TYPE.equals(c.getType())).findFirst();
        return Optional.of(new StatusReport.Routing(kind.name(), names.route(), weights.primary, weights.canary, weights.baseline,
                accepted.map(Condition::getStatus).orElse(null), accepted.map(Condition::getReason).orElse(null),
                listOf(parents).stream().map(p -> parent(p, names.namespace())).toList()));
    }

    /** One parent's report: Accepted, or ResolvedRefs where that is False (the backends, not the Gateway, are the trouble). */
    private static StatusReport.Parent parent(RouteParentStatus report, String namespace) {
        ParentReference ref = report.getParentRef();
        String gateway = ref == null ? "?" : (ref.getNamespace() == null ? namespace : ref.getNamespace()) + "/" + ref.getName()
                + (ref.getSectionName() == null ? "" : " (" + ref.getSectionName() + ")");
        Optional<Condition> resolved = condition(report, RESOLVED_REFS).filter(c -> "False".equals(c.getStatus()));
        Condition shown = resolved.or(() -> condition(report, ACCEPTED)).orElse(null);
        return new StatusReport.Parent(cut(gateway), cut(report.getControllerName()),
                shown == null ? "Unknown" : shown.getStatus(), shown == null ? null : shown.getType(),
                shown == null ? null : cut(shown.getReason()), shown == null ? null : cut(shown.getMessage()));
    }

    private static Optional<Condition> condition(RouteParentStatus report, String type) {
        return report.getConditions() == null ? Optional.empty()
                : report.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static <T> List<T> listOf(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static int weight(Integer weight) {
        return weight == null ? 1 : weight; // the Gateway API's default
    }

    /** What a controller writes is cut and freed of control characters before it reaches a terminal. */
    private static String cut(String text) {
        return text == null || text.isEmpty() ? null : ForeignText.quote(text, QUOTED);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Map.class::isInstance).map(m -> (Map<String, Object>) m).toList();
    }

    /** Weights summed by backend: the canary Service's, and everything else as the primary's. */
    private static final class Weights {
        private int primary;
        private int canary;
        /** The baseline Service's weight; null while the route names none. */
        private Integer baseline;

        void add(RolloutNames names, Object backend, int weight) {
            if (names.canaryService().equals(backend)) {
                canary += weight;
            } else if (names.baselineService().equals(backend)) {
                baseline = (baseline == null ? 0 : baseline) + weight;
            } else {
                primary += weight;
            }
        }

        int total() {
            return primary + canary + (baseline == null ? 0 : baseline);
        }
    }
}
