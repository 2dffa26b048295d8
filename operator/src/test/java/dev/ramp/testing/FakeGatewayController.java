package dev.ramp.testing;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a Gateway API implementation's controller, which this test cluster lacks: every
 * 200 ms it writes the status of each HTTPRoute and GRPCRoute of one namespace as a controller
 * does (through the status subresource), one entry per parentRef: Accepted and ResolvedRefs True,
 * or Accepted False with the reason a test gives for a Gateway it makes refuse routes.
 */
public class FakeGatewayController implements AutoCloseable {

    public static final String CONTROLLER = "example.com/fake-gateway-controller";

    private final KubernetesClient client;
    private final String namespace;
    /** Gateway name -> the reason its listeners refuse routes. */
    private final Map<String, String> refusing = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    public FakeGatewayController(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        timer.scheduleWithFixedDelay(this::tick, 0, 200, TimeUnit.MILLISECONDS);
    }

    /** From now on the Gateway {@code name} reports routes not Accepted, for {@code reason}. */
    public void refuse(String gateway, String reason) {
        refusing.put(gateway, reason);
    }

    /** From now on the Gateway {@code name} accepts routes again. */
    public void accept(String gateway) {
        refusing.remove(gateway);
    }

    private void tick() {
        try {
            for (HTTPRoute route : client.resources(HTTPRoute.class).inNamespace(namespace).list().getItems()) {
                List<RouteParentStatus> parents = parents(route, route.getSpec().getParentRefs());
                if (route.getStatus() == null || !same(route.getStatus().getParents(), parents)) {
                    route.setStatus(new HTTPRouteStatus(parents));
                    client.resource(route).updateStatus();
                }
            }
            for (GRPCRoute route : client.resources(GRPCRoute.class).inNamespace(namespace).list().getItems()) {
                List<RouteParentStatus> parents = parents(route, route.getSpec().getParentRefs());
                if (route.getStatus() == null || !same(route.getStatus().getParents(), parents)) {
                    route.setStatus(new GRPCRouteStatus(parents));
                    client.resource(route).updateStatus();
                }
            }
        } catch (KubernetesClientException e) {
            // a conflict with a concurrent write, or the CRDs not installed yet; the next tick reports again
        }
    }

    private List<RouteParentStatus> parents(HasMetadata route, List<ParentReference> refs) {
        long generation = route.getMetadata().getGeneration();
        return refs.stream().map(ref -> {
            String refusal = refusing.get(ref.getName());
            RouteParentStatus status = new RouteParentStatus();
            status.setControllerName(CONTROLLER);
            status.setParentRef(ref);
            status.setConditions(List.of(
                    condition("Accepted", refusal == null, refusal == null ? "Accepted" : refusal,
                            refusal == null ? "Route is accepted" : "no listener of Gateway " + ref.getName() + " admits it",
                            generation),
                    condition("ResolvedRefs", true, "ResolvedRefs", "every backend resolved", generation)));
            return status;
        }).toList();
    }

    private static Condition condition(String type, boolean status, String reason, String message, long generation) {
        return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False").withReason(reason)
                .withMessage(message).withObservedGeneration(generation)
                .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build();
    }

    /** The same report but for the times of its conditions. */
    private static boolean same(List<RouteParentStatus> live, List<RouteParentStatus> wanted) {
        return Objects.equals(strip(live), strip(wanted));
    }

    private static String strip(List<RouteParentStatus> parents) {
        return parents == null ? "[]" : Serialization.asJson(parents).replaceAll("\"lastTransitionTime\":\"[^\"]*\"", "");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
