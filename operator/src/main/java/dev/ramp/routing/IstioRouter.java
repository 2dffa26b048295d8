package dev.ramp.routing;

import dev.ramp.api.Rollout;
import dev.ramp.kube.Managed;
import dev.ramp.api.RolloutNames;
import io.fabric8.istio.api.api.networking.v1alpha3.Destination;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.Headers;
import io.fabric8.istio.api.api.networking.v1alpha3.HeadersHeaderOperations;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.PortSelector;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.DestinationRuleBuilder;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Objects;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import io.fabric8.istio.api.api.networking.v1alpha3.Percent;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Routes by Istio: a VirtualService named after the Service, whose default HTTP route splits
 * traffic by weight between the primary and canary Services, and the baseline's while a release
 * runs one ({@link Routing#routesBaseline}) (and may mirror it to the canary),
 * preceded during an A/B test by a route sending matching requests to the canary; and a
 * DestinationRule per host. Every object is derived from the Rollout and the routing asked for
 * (never read back from the mesh) and written only when the live one differs. Nothing is written
 * for a Rollout whose hosts or gateways the {@link RoutePolicy} refuses: the last route stays.
 * Each object is exported to its own namespace only ({@code exportTo: ["."]}), so no other
 * namespace's sidecars take it; a VirtualService bound to an allowed gateway of another namespace
 * is exported to that namespace too, since Istio's gateways (pods of that namespace, as usual)
 * read only the VirtualServices exported to their own.
 */
public class IstioRouter implements TrafficRouter {

    static final String PRIMARY_ROUTE = RolloutNames.PRIMARY_ROUTE;
    static final String CANARY_ROUTE = RolloutNames.CANARY_ROUTE;

    /** Istio's exportTo value for "this object's own namespace". */
    static final String OWN_NAMESPACE = ".";

    private final KubernetesClient client;
    private final RoutePolicy policy;

    public IstioRouter(KubernetesClient client, RoutePolicy policy) {
        this.client = client;
        this.policy = policy;
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(VirtualService.class, DestinationRule.class);
    }

    @Override
    public String name() {
        return "Istio";
    }

    @Override
    public void reconcile(Rollout rollout, Routing routing, Collection<? extends HasMetadata> live) {
        if (!policy.refusals(rollout).isEmpty()) {
            return;
        }
        RolloutNames names = RolloutNames.of(rollout);
        applyIfChanged(destinationRule(rollout, names.primaryService()), live);
        applyIfChanged(destinationRule(rollout, names.canaryService()), live);
        applyIfChanged(virtualService(rollout, routing), live);
    }

    private VirtualService virtualService(Rollout rollout, Routing routing) {
        RolloutNames names = RolloutNames.of(rollout);
        var spec = rollout.getSpec().getService();
        List<String> hosts = spec.getHosts() == null || spec.getHosts().isEmpty() ? List.of(names.service()) : spec.getHosts();
        List<String> gateways = spec.getGateways() == null || spec.getGateways().isEmpty() ? List.of("mesh") : spec.getGateways();
        List<HTTPRoute> http = new ArrayList<>();
        if (!routing.canaryMatch().isEmpty()) {
            // Istio takes the first route that matches: the A/B route must come before the default.
            HTTPRoute canary = new HTTPRoute();
            canary.setName(CANARY_ROUTE);
            canary.setMatch(routing.canaryMatch().stream().map(IstioMatches::of).toList());
            canary.setRoute(List.of(destination(names.canaryService(), spec.getPort(), 100)));
            http.add(canary);
        }
        HTTPRoute route = new HTTPRoute();
        route.setName(PRIMARY_ROUTE);
        List<HTTPRouteDestination> destinations = new ArrayList<>(List.of(
                destination(names.primaryService(), spec.getPort(), routing.weights().primary()),
                withResponseHeaders(destination(names.canaryService(), spec.getPort(), routing.weights().canary()),
                        routing.sessionCookie().map(c -> Map.of(SessionCookie.SET_COOKIE, c.setCookie())).orElse(Map.of()))));
        if (routing.routesBaseline()) {
            destinations.add(destination(names.baselineService(), spec.getPort(), routing.weights().baseline()));
        }
        route.setRoute(destinations);
        if (routing.mirror()) {
            route.setMirror(destination(names.canaryService(), spec.getPort(), 0).getDestination());
            route.setMirrorPercentage(new Percent(100.0));
        }
        http.add(route);
        return new VirtualServiceBuilder()
                .withMetadata(Managed.metadata(rollout, names.service(), Map.of()))
                .withNewSpec().withHosts(hosts).withGateways(gateways).withExportTo(exportTo(rollout, gateways))
                .withHttp(http).endSpec()
                .build();
    }

    /** The Rollout's namespace, and the namespace of each gateway of another one the route binds to. */
    private static List<String> exportTo(Rollout rollout, List<String> gateways) {
        String namespace = rollout.getMetadata().getNamespace();
        Set<String> exportTo = new TreeSet<>();
        gateways.stream().filter(g -> !g.equals(RoutePolicy.MESH)).map(g -> RoutePolicy.namespaceOf(g, namespace))
                .filter(n -> !n.equals(namespace)).forEach(exportTo::add);
        List<String> all = new ArrayList<>(List.of(OWN_NAMESPACE));
        all.addAll(exportTo);
        return all;
    }

    private static HTTPRouteDestination destination(String host, int port, int weight) {
        Destination destination = new Destination();
        destination.setHost(host);
        PortSelector selector = new PortSelector();
        selector.setNumber((long) port);
        destination.setPort(selector);
        HTTPRouteDestination routeDestination = new HTTPRouteDestination();
        routeDestination.setDestination(destination);
        routeDestination.setWeight(weight);
        return routeDestination;
    }

    /** The destination, its responses given {@code add} (the session cookie on the canary's share). */
    private static HTTPRouteDestination withResponseHeaders(HTTPRouteDestination destination, Map<String, String> add) {
        if (!add.isEmpty()) {
            HeadersHeaderOperations response = new HeadersHeaderOperations();
            response.setAdd(add);
            Headers headers = new Headers();
            headers.setResponse(response);
            destination.setHeaders(headers);
        }
        return destination;
    }

    private static DestinationRule destinationRule(Rollout rollout, String host) {
        return new DestinationRuleBuilder()
                .withMetadata(Managed.metadata(rollout, host, Map.of()))
                .withNewSpec().withHost(host).withExportTo(OWN_NAMESPACE).endSpec()
                .build();
    }

    /** Applies the object unless the cached one already has its spec and is Ramp's; a deleted one comes back. */
    private <T extends HasMetadata> void applyIfChanged(T desired, Collection<? extends HasMetadata> cached) {
        HasMetadata live = cached.stream().filter(o -> o.getClass().equals(desired.getClass())
                && o.getMetadata().getName().equals(desired.getMetadata().getName())).findFirst().orElse(null);
        if (live != null && Managed.isManaged(live) && Objects.equals(Serialization.asJson(spec(live)),
                Serialization.asJson(spec(desired)))) {
            return;
        }
        client.resource(desired).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    private static Object spec(HasMetadata object) {
        return object instanceof VirtualService vs ? vs.getSpec() : object instanceof DestinationRule dr ? dr.getSpec() : object;
    }
}
