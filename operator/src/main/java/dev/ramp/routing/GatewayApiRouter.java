package dev.ramp.routing;

import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RouteKind;
import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Routes by the Kubernetes Gateway API: an HTTPRoute (a GRPCRoute for {@code protocol: GRPC})
 * named after the Service, in the Rollout's namespace, attached to {@code spec.service.parentRefs}
 * with {@code spec.service.hosts} as its hostnames. Its default rule splits traffic by the weights
 * of two backendRefs, the primary and canary Services (a blue/green switch is 100/0, then 0/100),
 * and a third, the baseline's Service, while a release runs one ({@link Routing#routesBaseline}),
 * and may mirror it to the canary (RequestMirror, only where every Gateway's GatewayClass says its
 * implementation supports it, or the operator's setting does: {@link MirrorSupport}); during an A/B test a rule sending matching requests to the canary precedes it
 * (the Gateway API prefers the more specific match: any condition beats the default rule's none).
 * The route, its Services and (by the RoutePolicy) its Gateways' namespaces are the only
 * references it makes: the backends are in the route's own namespace, so no ReferenceGrant is
 * needed, and a Gateway of another namespace admits the route through its listeners'
 * {@code allowedRoutes}, which its owner writes (docs/gateway-api.md). Every object is derived from
 * the Rollout and the routing asked for and written (server-side apply) only when the live one
 * differs; a route of the other kind left by a changed protocol is deleted.
 */
public class GatewayApiRouter implements TrafficRouter {

    /**
     * The operator's word that the cluster's Gateway API implementation carries out RequestMirror,
     * whatever its GatewayClasses publish ({@link MirrorSupport}); false by default.
     */
    public static final String MIRROR_SETTING = "ramp.routing.gateway-api.request-mirror";
    static final String CANARY_RULE = RolloutNames.CANARY_ROUTE;
    static final String DEFAULT_RULE = RolloutNames.PRIMARY_ROUTE;
    private static final String GROUP = "gateway.networking.k8s.io";
    private static final String MIRROR_FILTER = "RequestMirror";
    private static final String RESPONSE_HEADER_FILTER = "ResponseHeaderModifier";

    private final KubernetesClient client;
    private final RoutePolicy policy;
    private final boolean mirrorOverride;
    private final GatewayClasses gatewayClasses;

    /**
     * {@code mirrorOverride}: {@link #MIRROR_SETTING}; {@code gatewayClasses}: the cached Gateways
     * and GatewayClasses whose {@code status.supportedFeatures} decide whether a mirror is written.
     */
    public GatewayApiRouter(KubernetesClient client, RoutePolicy policy, boolean mirrorOverride, GatewayClasses gatewayClasses) {
        this.client = client;
        this.policy = policy;
        this.mirrorOverride = mirrorOverride;
        this.gatewayClasses = gatewayClasses;
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(HTTPRoute.class, GRPCRoute.class);
    }

    @Override
    public String name() {
        return "The Gateway API";
    }

    @Override
    public List<String> unsupported(Rollout rollout) {
        List<String> problems = new ArrayList<>();
        var analysis = rollout.getSpec().getAnalysis();
        MirrorSupport.refusal(rollout, gatewayClasses, mirrorOverride).ifPresent(problems::add);
        if (analysis != null) {
            problems.addAll(GatewayApiMatches.unsupported(analysis.getMatch(), grpc(rollout)));
        }
        return problems;
    }

    @Override
    public Optional<RouteAcceptance> acceptance(Rollout rollout, Collection<? extends HasMetadata> live) {
        HasMetadata route = find(live, grpc(rollout) ? GRPCRoute.class : HTTPRoute.class, RolloutNames.of(rollout).route());
        return Optional.of(RouteParents.acceptance(rollout, route));
    }

    @Override
    public void reconcile(Rollout rollout, Routing routing, Collection<? extends HasMetadata> live) {
        if (!policy.refusals(rollout).isEmpty() || !unsupported(rollout).isEmpty()) {
            return;
        }
        HasMetadata desired = grpc(rollout) ? grpcRoute(rollout, routing) : httpRoute(rollout, routing);
        HasMetadata current = find(live, desired.getClass(), desired.getMetadata().getName());
        if (current == null || !Managed.isManaged(current) || !Objects.equals(Serialization.asJson(spec(current)),
                Serialization.asJson(spec(desired)))) {
            client.resource(desired).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
        }
        // A changed protocol leaves Ramp's route of the other kind attached to the same Gateways.
        HasMetadata other = find(live, grpc(rollout) ? HTTPRoute.class : GRPCRoute.class, desired.getMetadata().getName());
        if (other != null && Managed.isManaged(other)) {
            client.resource(other).delete();
        }
    }

    private HTTPRoute httpRoute(Rollout rollout, Routing routing) {
        RolloutNames names = RolloutNames.of(rollout);
        int port = rollout.getSpec().getService().getPort();
        List<HTTPRouteRule> rules = new ArrayList<>();
        if (!routing.canaryMatch().isEmpty()) {
            HTTPRouteRule canary = new HTTPRouteRule();
            canary.setName(CANARY_RULE);
            canary.setMatches(routing.canaryMatch().stream().map(GatewayApiMatches::http).toList());
            canary.setBackendRefs(List.of(new HTTPBackendRefBuilder().withGroup("").withKind("Service")
                    .withName(names.canaryService()).withPort(port).withWeight(1).build()));
            rules.add(canary);
        }
        HTTPRouteRule split = new HTTPRouteRule();
        split.setName(DEFAULT_RULE);
        split.setMatches(List.of(GatewayApiMatches.everything()));
        List<HTTPBackendRef> backends = new ArrayList<>(List.of(
                new HTTPBackendRefBuilder().withGroup("").withKind("Service").withName(names.primaryService()).withPort(port)
                        .withWeight(routing.weights().primary()).build(),
                new HTTPBackendRefBuilder().withGroup("").withKind("Service").withName(names.canaryService()).withPort(port)
                        .withWeight(routing.weights().canary())
                        .withFilters(routing.sessionCookie().map(GatewayApiRouter::setCookie).stream().toList()).build()));
        if (routing.routesBaseline()) {
            backends.add(new HTTPBackendRefBuilder().withGroup("").withKind("Service").withName(names.baselineService())
                    .withPort(port).withWeight(routing.weights().baseline()).build());
        }
        split.setBackendRefs(backends);
        if (routing.mirror()) {
            HTTPRouteFilter mirror = new HTTPRouteFilter();
            mirror.setType(MIRROR_FILTER);
            mirror.setRequestMirror(mirrorTo(names.canaryService(), port));
            split.setFilters(List.of(mirror));
        }
        rules.add(split);
        return new HTTPRouteBuilder().withMetadata(Managed.metadata(rollout, names.route(), Map.of()))
                .withNewSpec().withParentRefs(parentRefs(rollout)).withHostnames(hostnames(rollout)).withRules(rules).endSpec()
                .build();
    }

    private GRPCRoute grpcRoute(Rollout rollout, Routing routing) {
        RolloutNames names = RolloutNames.of(rollout);
        int port = rollout.getSpec().getService().getPort();
        List<GRPCRouteRule> rules = new ArrayList<>();
        if (!routing.canaryMatch().isEmpty()) {
            GRPCRouteRule canary = new GRPCRouteRule();
            canary.setName(CANARY_RULE);
            canary.setMatches(routing.canaryMatch().stream().map(GatewayApiMatches::grpc).toList());
            canary.setBackendRefs(List.of(new GRPCBackendRefBuilder().withGroup("").withKind("Service")
                    .withName(names.canaryService()).withPort(port).withWeight(1).build()));
            rules.add(canary);
        }
        GRPCRouteRule split = new GRPCRouteRule();
        split.setName(DEFAULT_RULE);
        List<GRPCBackendRef> backends = new ArrayList<>(List.of(
                new GRPCBackendRefBuilder().withGroup("").withKind("Service").withName(names.primaryService()).withPort(port)
                        .withWeight(routing.weights().primary()).build(),
                new GRPCBackendRefBuilder().withGroup("").withKind("Service").withName(names.canaryService()).withPort(port)
                        .withWeight(routing.weights().canary()).build()));
        if (routing.routesBaseline()) {
            backends.add(new GRPCBackendRefBuilder().withGroup("").withKind("Service").withName(names.baselineService())
                    .withPort(port).withWeight(routing.weights().baseline()).build());
        }
        split.setBackendRefs(backends);
        if (routing.mirror()) {
            GRPCRouteFilter mirror = new GRPCRouteFilter();
            mirror.setType(MIRROR_FILTER);
            mirror.setRequestMirror(mirrorTo(names.canaryService(), port));
            split.setFilters(List.of(mirror));
        }
        rules.add(split);
        return new GRPCRouteBuilder().withMetadata(Managed.metadata(rollout, names.route(), Map.of()))
                .withNewSpec().withParentRefs(parentRefs(rollout)).withHostnames(hostnames(rollout)).withRules(rules).endSpec()
                .build();
    }

    /** A filter on the canary's backendRef that gives its responses the session cookie (a backendRef-level filter). */
    private static HTTPRouteFilter setCookie(SessionCookie cookie) {
        HTTPHeaderFilter headers = new HTTPHeaderFilter();
        headers.setAdd(List.of(new HTTPHeader(SessionCookie.SET_COOKIE, cookie.setCookie())));
        HTTPRouteFilter filter = new HTTPRouteFilter();
        filter.setType(RESPONSE_HEADER_FILTER);
        filter.setResponseHeaderModifier(headers);
        return filter;
    }

    private static HTTPRequestMirrorFilter mirrorTo(String service, int port) {
        HTTPRequestMirrorFilter mirror = new HTTPRequestMirrorFilter();
        mirror.setBackendRef(new BackendObjectReferenceBuilder().withGroup("").withKind("Service").withName(service)
                .withPort(port).build());
        return mirror;
    }

    /** The spec's parentRefs as the route's, with the group and kind the CRD would default written out. */
    static List<ParentReference> parentRefs(Rollout rollout) {
        List<ParentRef> refs = rollout.getSpec().getService().getParentRefs();
        return refs == null ? List.of() : refs.stream().map(ref -> new ParentReferenceBuilder().withGroup(GROUP)
                .withKind("Gateway").withName(ref.getName()).withNamespace(ref.getNamespace())
                .withSectionName(ref.getSectionName()).withPort(ref.getPort()).build()).toList();
    }

    /** {@code spec.service.hosts}; none means every hostname of the Gateway's listener. */
    private static List<String> hostnames(Rollout rollout) {
        List<String> hosts = rollout.getSpec().getService().getHosts();
        return hosts == null ? List.of() : hosts;
    }

    static boolean grpc(Rollout rollout) {
        return RouteKind.of(rollout.getSpec().getService()) == RouteKind.GRPCRoute;
    }

    private static HasMetadata find(Collection<? extends HasMetadata> live, Class<?> kind, String name) {
        return live.stream().filter(o -> o.getClass().equals(kind) && o.getMetadata().getName().equals(name))
                .findFirst().orElse(null);
    }

    private static Object spec(HasMetadata object) {
        return object instanceof HTTPRoute http ? http.getSpec() : object instanceof GRPCRoute grpc ? grpc.getSpec() : object;
    }
}
