package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.ParentRef;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RouteMatch;
import dev.ramp.api.RoutingCondition;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceProtocol;
import dev.ramp.api.SessionAffinity;
import dev.ramp.api.Strategy;
import dev.ramp.api.StringMatch;
import dev.ramp.kube.Conditions;
import dev.ramp.routing.GatewayApiRouter;
import dev.ramp.routing.GatewayClasses;
import dev.ramp.routing.MirrorSupport;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.routing.Routing;
import dev.ramp.routing.Weights;
import dev.ramp.testing.FakeGatewayController;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeatureBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Releases routed through the Gateway API against a real kube-apiserver that has the Gateway API's
 * CRDs (v1.6.3, standard channel) and none of Istio's: the HTTPRoute or GRPCRoute a user sees at
 * each step, the refusals, and the hold while a Gateway does not accept the route. A
 * {@link FakeGatewayController} writes the routes' status as an implementation's controller would.
 * The releases skip analysis (no Prometheus): each step lasts its interval.
 */
class GatewayApiRouterTest {

    private static final Duration RELEASE = Duration.ofSeconds(90);

    private static TestCluster cluster;
    private static KubernetesClient client;
    private static RampOperator operator;
    private static String gatewayNamespace;

    private CanaryFixture fx;
    private FakeGatewayController gateways;
    private Watch watch;
    private final List<String> routes = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void clusterWithTheGatewayApiAndWithoutIstio() {
        cluster = TestCluster.withoutIstio();
        cluster.installGatewayApi();
        client = cluster.client();
        gatewayNamespace = cluster.newNamespace("gateway-system");
        operator = new RampOperator(client, "http://127.0.0.1:9")
                .withRoutePolicy(RoutePolicy.of(List.of(), List.of(gatewayNamespace + "/public"))).start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        cluster.close();
    }

    private void namespace(String prefix) {
        fx = new CanaryFixture(client, cluster.newNamespace(prefix));
        gateways = new FakeGatewayController(client, fx.namespace);
    }

    @AfterEach
    void cleanUp() {
        if (watch != null) {
            watch.close();
        }
        if (gateways != null) {
            gateways.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aCanaryShiftsTheHttpRouteWeightsStepByStepOnAClusterWithoutIstio() {
        namespace("gw-canary");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> r.getSpec().getAnalysis().setStepWeights(List.of(20, 60))));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));

        HTTPRoute route = httpRoute();
        assertThat(route.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "ramp");
        assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("public");
            assertThat(p.getNamespace()).isNull();
            assertThat(p.getKind()).isEqualTo("Gateway");
        });
        assertThat(route.getSpec().getHostnames()).isEmpty();
        assertThat(describe(route)).isEqualTo("100/0");
        assertThat(route.getSpec().getRules().get(0).getBackendRefs()).extracting(HTTPBackendRef::getName, HTTPBackendRef::getPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("podinfo-primary", 9898),
                        org.assertj.core.groups.Tuple.tuple("podinfo-canary", 9898));
        Condition accepted = awaitCondition(RoutingCondition.ACCEPTED_TYPE, RoutingCondition.ACCEPTED);
        assertThat(accepted.getStatus()).isEqualTo(Conditions.TRUE);
        assertThat(accepted.getMessage()).contains("Gateway " + fx.namespace + "/public").contains(FakeGatewayController.CONTROLLER);
        assertThat(client.services().inNamespace(fx.namespace).list().getItems()).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("podinfo", "podinfo-primary", "podinfo-canary");

        // Nothing changed: the route is not written again (its status, written by the controller, aside).
        String generation = String.valueOf(httpRoute().getMetadata().getGeneration());
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").edit(r -> {
            r.getMetadata().getAnnotations().put("example.com/touched", "yes");
            return r;
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(String.valueOf(httpRoute().getMetadata().getGeneration())).isEqualTo(generation);

        watchRoutes();
        fx.release("podinfo:2.0");
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(routes).containsExactly("100/0", "80/20", "40/60",
                "100/0"));
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");

        // Deleted, the route comes back at once with the weights of the status.
        String uid = httpRoute().getMetadata().getUid();
        client.resources(HTTPRoute.class).inNamespace(fx.namespace).withName("podinfo").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            HTTPRoute back = client.resources(HTTPRoute.class).inNamespace(fx.namespace).withName("podinfo").get();
            return back != null && !back.getMetadata().getUid().equals(uid) && describe(back).equals("100/0");
        });
    }

    @Test
    void aBaselineTakesTheCanarysWeightInAThirdBackendRefAndIsGoneOnceTheReleaseEnds() {
        namespace("gw-baseline");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().getAnalysis().setStepWeights(List.of(20, 40));
            r.getSpec().getAnalysis().setBaseline(true);
            dev.ramp.api.MetricCheck latency = new dev.ramp.api.MetricCheck();
            latency.setName("request-duration");
            dev.ramp.api.CompareSpec compare = new dev.ramp.api.CompareSpec();
            compare.setDirection(dev.ramp.api.Direction.Increase);
            latency.setCompare(compare);
            r.getSpec().getAnalysis().setMetrics(List.of(latency));
        }));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        watchRoutes();

        fx.release("podinfo:2.0");
        // The baseline runs the promoted version beside the canary, selected by labels of its own.
        io.fabric8.kubernetes.api.model.apps.Deployment baseline = await().atMost(Duration.ofSeconds(30))
                .until(() -> client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-baseline").get(),
                        d -> d != null);
        assertThat(baseline.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("podinfo:1.0");
        assertThat(baseline.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "podinfo-baseline"));
        assertThat(baseline.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("ramp.dev/revision", fx.rollout().getStatus().getLastPromotedRevision());
        assertThat(baseline.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("Rollout"));
        assertThat(client.services().inNamespace(fx.namespace).withName("podinfo-baseline").get().getSpec().getSelector())
                .isEqualTo(Map.of("app", "podinfo-baseline"));

        fx.awaitPhase(Phase.Succeeded, RELEASE);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(routes).containsExactly("100/0", "100/0/0",
                "60/20/20", "20/40/40", "100/0"));
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(fx.namespace).withName("podinfo-baseline").get()).isNull();
            assertThat(client.services().inNamespace(fx.namespace).withName("podinfo-baseline").get()).isNull();
        });
    }

    @Test
    void anAbTestRoutesMatchingRequestsToTheCanaryBeforeTheDefaultRule() {
        namespace("gw-ab");
        fx.createTarget("podinfo:1.0");
        RouteMatch insiders = new RouteMatch();
        insiders.setHeaders(Map.of("x-canary", exact("insider"), "cookie", regex("^(.*?;)?(canary=always)(;.*)?$")));
        insiders.setQueryParams(Map.of("beta", exact("1")));
        insiders.setUri(prefix("/api"));
        insiders.setMethod(exact("GET"));
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().setStrategy(Strategy.ABTest);
            r.getSpec().getAnalysis().setIterations(3);
            r.getSpec().getAnalysis().setMatch(List.of(insiders));
        }));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        watchRoutes();

        fx.release("podinfo:2.0");
        HTTPRoute during = await().atMost(RELEASE).until(this::httpRoute, r -> r != null && r.getSpec().getRules().size() == 2);
        HTTPRouteRule canary = during.getSpec().getRules().get(0);
        assertThat(canary.getName()).isEqualTo("canary");
        assertThat(canary.getBackendRefs()).extracting(HTTPBackendRef::getName).containsExactly("podinfo-canary");
        assertThat(canary.getMatches()).singleElement().satisfies(m -> {
            assertThat(m.getPath().getType()).isEqualTo("PathPrefix");
            assertThat(m.getPath().getValue()).isEqualTo("/api");
            assertThat(m.getMethod()).isEqualTo("GET");
            assertThat(m.getHeaders()).extracting(HTTPHeaderMatch::getName, HTTPHeaderMatch::getType, HTTPHeaderMatch::getValue)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("cookie", "RegularExpression", "^(.*?;)?(canary=always)(;.*)?$"),
                            org.assertj.core.groups.Tuple.tuple("x-canary", "Exact", "insider"));
            assertThat(m.getQueryParams()).singleElement().satisfies(q -> {
                assertThat(q.getName()).isEqualTo("beta");
                assertThat(q.getValue()).isEqualTo("1");
            });
        });
        assertThat(during.getSpec().getRules().get(1).getName()).isEqualTo("primary");
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(routes).containsExactly("100/0", "100/0+ab", "100/0"));
    }

    @Test
    void withSessionAffinityTheCanarysResponsesSetACookieWhoseHoldersStayOnTheCanary() {
        namespace("gw-sticky");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().getAnalysis().setStepWeights(List.of(20, 60));
            r.getSpec().getAnalysis().setSessionAffinity(new SessionAffinity("ramp-canary", "1h"));
        }));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(httpRoute().getSpec().getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getBackendRefs()).allSatisfy(b -> assertThat(b.getFilters()).isEmpty()));

        fx.release("podinfo:2.0");
        HTTPRoute during = await().atMost(RELEASE).until(this::httpRoute, r -> r != null && r.getSpec().getRules().size() == 2);
        String revision = fx.rollout().getStatus().getLastAppliedRevision();
        HTTPRouteRule sticky = during.getSpec().getRules().get(0);
        assertThat(sticky.getName()).isEqualTo("canary");
        assertThat(sticky.getBackendRefs()).extracting(HTTPBackendRef::getName).containsExactly("podinfo-canary");
        assertThat(sticky.getMatches()).singleElement().satisfies(m -> assertThat(m.getHeaders())
                .extracting(HTTPHeaderMatch::getName, HTTPHeaderMatch::getType, HTTPHeaderMatch::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cookie", "RegularExpression",
                        "^(.*?;\\s*)?(ramp-canary=\"?" + revision + "\"?)(;.*)?$")));
        HTTPRouteRule split = during.getSpec().getRules().get(1);
        assertThat(split.getBackendRefs().get(0).getFilters()).as("the primary's responses").isEmpty();
        assertThat(split.getBackendRefs().get(1).getFilters()).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo("ResponseHeaderModifier");
            assertThat(f.getResponseHeaderModifier().getAdd()).extracting(HTTPHeader::getName, HTTPHeader::getValue)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("Set-Cookie",
                            "ramp-canary=" + revision + "; Max-Age=3600; Path=/"));
        });

        fx.awaitPhase(Phase.Succeeded, RELEASE);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(httpRoute().getSpec().getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getBackendRefs()).allSatisfy(b -> assertThat(b.getFilters()).isEmpty())));
    }

    @Test
    void aBlueGreenReleaseSwitchesAllTrafficAtOnce() {
        namespace("gw-bluegreen");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().setStrategy(Strategy.BlueGreen);
            r.getSpec().getAnalysis().setIterations(2);
        }));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        watchRoutes();

        fx.release("podinfo:2.0");
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(routes).containsExactly("100/0", "0/100", "100/0"));
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
    }

    @Test
    void aGrpcServiceIsRoutedByAGrpcRoute() {
        namespace("gw-grpc");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().getService().setProtocol(ServiceProtocol.GRPC);
            r.getSpec().getAnalysis().setStepWeights(List.of(30));
        }));
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));

        GRPCRoute route = await().atMost(Duration.ofSeconds(10))
                .until(() -> client.resources(GRPCRoute.class).inNamespace(fx.namespace).withName("podinfo").get(), r -> r != null);
        assertThat(route.getSpec().getParentRefs()).extracting(p -> p.getName()).containsExactly("public");
        assertThat(route.getSpec().getRules()).singleElement().satisfies(rule -> assertThat(rule.getBackendRefs())
                .extracting(b -> b.getName() + "=" + b.getWeight()).containsExactly("podinfo-primary=100", "podinfo-canary=0"));
        assertThat(httpRoute()).isNull();
        assertThat(client.services().inNamespace(fx.namespace).withName("podinfo-canary").get().getSpec().getPorts())
                .singleElement().satisfies(p -> assertThat(p.getName()).isEqualTo("grpc"));
        assertThat(awaitCondition(RoutingCondition.ACCEPTED_TYPE, RoutingCondition.ACCEPTED).getStatus()).isEqualTo(Conditions.TRUE);

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> {
            GRPCRoute now = client.resources(GRPCRoute.class).inNamespace(fx.namespace).withName("podinfo").get();
            return now.getSpec().getRules().get(0).getBackendRefs().get(1).getWeight() == 30;
        });
        fx.awaitPhase(Phase.Succeeded, RELEASE);
    }

    @Test
    void whatIsNotTheRolloutsToRouteOrWhatTheImplementationCannotDoIsRefusedWithNothingWritten() {
        namespace("gw-refused");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().setStrategy(Strategy.BlueGreen);
            r.getSpec().getAnalysis().setMirror(true);
            r.getSpec().getService().setHosts(List.of("login.example.com"));
            r.getSpec().getService().setGateways(List.of("mesh"));
            r.getSpec().getService().setParentRefs(List.of(new ParentRef("public", null), new ParentRef("private", "team-b"),
                    new ParentRef("public", gatewayNamespace)));
        }));

        Condition refused = awaitCondition(RoutingCondition.TYPE, RoutingCondition.REFUSED);
        assertThat(refused.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(refused.getMessage())
                .contains("spec.service.hosts[0]: login.example.com is not a name of this Rollout's Services")
                .contains("spec.service.gateways: Istio's gateways, not used with provider GatewayAPI")
                .contains("spec.service.parentRefs[1]: Gateway team-b/private is of namespace team-b, not " + fx.namespace)
                .contains("spec.analysis.mirror: Gateway " + fx.namespace + "/public is not found, so its GatewayClass is"
                        + " unknown")
                .doesNotContain("parentRefs[0]").doesNotContain("parentRefs[2]");
        assertThat(fx.events(RoutingCondition.REFUSED)).isNotEmpty();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(client.resources(HTTPRoute.class).inNamespace(fx.namespace).list().getItems()).isEmpty();
            assertThat(client.services().inNamespace(fx.namespace).list().getItems()).isEmpty();
            assertThat(fx.deployment("podinfo-primary")).isNull();
        });

        // Without parentRefs at all: required.
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").edit(r -> {
            r.getSpec().getService().setParentRefs(null);
            return r;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> condition(RoutingCondition.TYPE).getMessage()
                .contains("spec.service.parentRefs: required with provider GatewayAPI"));

        // What is the Rollout's (and the Gateway the operator allows from another namespace) is routed.
        client.resources(Rollout.class).inNamespace(fx.namespace).withName("podinfo").edit(r -> {
            r.getSpec().getAnalysis().setMirror(false);
            r.getSpec().getService().setHosts(List.of("podinfo." + fx.namespace + ".svc.cluster.local"));
            r.getSpec().getService().setGateways(null);
            r.getSpec().getService().setParentRefs(List.of(new ParentRef("public", gatewayNamespace)));
            return r;
        });
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(awaitCondition(RoutingCondition.TYPE, RoutingCondition.ALLOWED).getStatus()).isEqualTo(Conditions.TRUE);
        HTTPRoute route = await().atMost(Duration.ofSeconds(10)).until(this::httpRoute, r -> r != null);
        assertThat(route.getSpec().getHostnames()).containsExactly("podinfo." + fx.namespace + ".svc.cluster.local");
        assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> assertThat(p.getNamespace())
                .isEqualTo(gatewayNamespace));
        assertThat(route.getSpec().getRules()).allSatisfy(rule -> assertThat(rule.getFilters()).isNullOrEmpty());
    }

    @Test
    void aRouteTheGatewayDoesNotAcceptHoldsTheReleaseWhileTheRouteIsStillWritten() {
        namespace("gw-held");
        gateways.refuse("public", "NotAllowedByListeners");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().getAnalysis().setStepWeights(List.of(20, 40, 60));
            r.getSpec().getAnalysis().setInterval("2s");
        }));

        Condition held = awaitCondition(RoutingCondition.ACCEPTED_TYPE, RoutingCondition.NOT_ACCEPTED);
        assertThat(held.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(held.getMessage()).contains("Gateway " + fx.namespace + "/public does not accept the route")
                .contains(FakeGatewayController.CONTROLLER).contains("NotAllowedByListeners");
        // Held, but the route (and its Services) written: the Gateway can only accept a route that exists.
        assertThat(httpRoute()).isNotNull();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> fx.rollout().getStatus().getPhase()
                == Phase.Initializing);
        assertThat(fx.events(RoutingCondition.NOT_ACCEPTED)).hasSize(1);

        gateways.accept("public");
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(condition(RoutingCondition.ACCEPTED_TYPE).getReason()).isEqualTo(RoutingCondition.ACCEPTED);

        fx.release("podinfo:2.0");
        await().atMost(RELEASE).until(() -> fx.rollout().getStatus().getPhase() == Phase.Progressing
                && describe(httpRoute()).equals("80/20"));
        gateways.refuse("public", "NotAllowedByListeners");
        awaitCondition(RoutingCondition.ACCEPTED_TYPE, RoutingCondition.NOT_ACCEPTED);
        Integer step = fx.rollout().getStatus().getCurrentStep().getIndex();
        String weights = describe(httpRoute());
        // Three intervals and more: no step advances, nothing is reverted, the route stays as it was.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() -> {
            Rollout now = fx.rollout();
            return now.getStatus().getPhase() == Phase.Progressing && step.equals(now.getStatus().getCurrentStep().getIndex())
                    && describe(httpRoute()).equals(weights);
        });
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:1.0");

        gateways.accept("public");
        fx.awaitPhase(Phase.Succeeded, RELEASE);
        assertThat(fx.image("podinfo-primary")).isEqualTo("podinfo:2.0");
    }

    @Test
    void whereTheOperatorSaysTheImplementationMirrorsTheMirrorIsWrittenAndTheApiServerTakesIt() {
        namespace("gw-mirror");
        Rollout rollout = TargetNotFoundTest.rollout(fx.namespace, "podinfo", "podinfo");
        rollout.getSpec().setAnalysis(new AnalysisSpec());
        gatewayApi(r -> {
            r.getSpec().setStrategy(Strategy.BlueGreen);
            r.getSpec().getAnalysis().setMirror(true);
        }).accept(rollout);
        rollout = client.resource(rollout).create();
        GatewayApiRouter mirroring = new GatewayApiRouter(client, RoutePolicy.OWN_NAMES, true, GatewayClasses.NONE);
        assertThat(mirroring.unsupported(rollout)).isEmpty();
        assertThat(new GatewayApiRouter(client, RoutePolicy.OWN_NAMES, false, GatewayClasses.NONE).unsupported(rollout)).singleElement().asString()
                .startsWith("spec.analysis.mirror: ");

        mirroring.reconcile(rollout, Routing.dark(true), List.of());

        HTTPRoute route = httpRoute();
        assertThat(describe(route)).isEqualTo("100/0+mirror");
        assertThat(route.getSpec().getRules().get(0).getFilters()).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo("RequestMirror");
            assertThat(f.getRequestMirror().getBackendRef().getName()).isEqualTo("podinfo-canary");
            assertThat(f.getRequestMirror().getBackendRef().getPort()).isEqualTo(9898);
        });
        // As stored, defaults and all, it is what the router would write: not written again.
        mirroring.reconcile(rollout, Routing.dark(true), List.of(route));
        // (Its generation: the fake controller's status writes change the resourceVersion, not the generation.)
        assertThat(httpRoute().getMetadata().getGeneration()).isEqualTo(route.getMetadata().getGeneration());
        mirroring.reconcile(rollout, Routing.of(Weights.canary(100)), List.of(route));
        assertThat(describe(httpRoute())).isEqualTo("0/100");
    }

    @Test
    void aMirrorIsWrittenOnceTheGatewayClassPublishesThatItsImplementationMirrors() {
        namespace("gw-features");
        String className = fx.namespace + "-class";
        client.resource(new GatewayClassBuilder().withNewMetadata().withName(className).endMetadata()
                .withNewSpec().withControllerName("example.com/gateway-controller").endSpec().build()).create();
        client.resource(new GatewayBuilder().withNewMetadata().withName("public").withNamespace(fx.namespace).endMetadata()
                .withNewSpec().withGatewayClassName(className)
                .addNewListener().withName("http").withProtocol("HTTP").withPort(80).endListener().endSpec().build()).create();
        supportedFeatures(className, "Gateway", "HTTPRoute");
        fx.createTarget("podinfo:1.0");
        fx.createRollout(gatewayApi(r -> {
            r.getSpec().setStrategy(Strategy.BlueGreen);
            r.getSpec().getAnalysis().setMirror(true);
        }));

        Condition refused = awaitCondition(RoutingCondition.TYPE, RoutingCondition.REFUSED);
        assertThat(refused.getMessage()).contains("spec.analysis.mirror: GatewayClass " + className
                + " (controller example.com/gateway-controller) of Gateway " + fx.namespace + "/public does not list "
                + MirrorSupport.HTTP_FEATURE + " in status.supportedFeatures");
        assertThat(httpRoute()).isNull();

        // The controller says its implementation mirrors: the change of the class's status wakes the Rollout.
        supportedFeatures(className, "Gateway", "HTTPRoute", MirrorSupport.HTTP_FEATURE);
        assertThat(awaitCondition(RoutingCondition.TYPE, RoutingCondition.ALLOWED).getStatus()).isEqualTo(Conditions.TRUE);
        fx.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        assertThat(await().atMost(Duration.ofSeconds(10)).until(this::httpRoute, r -> r != null)).isNotNull();
        client.resources(GatewayClass.class).withName(className).delete();
    }

    /** Writes the GatewayClass's status as its controller does (through the status subresource): Accepted, with these features. */
    private void supportedFeatures(String className, String... features) {
        GatewayClass gatewayClass = client.resources(GatewayClass.class).withName(className).get();
        gatewayClass.setStatus(new GatewayClassStatusBuilder()
                .withConditions(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Accepted").withStatus("True")
                        .withReason("Accepted").withMessage("accepted")
                        .withObservedGeneration(gatewayClass.getMetadata().getGeneration())
                        .withLastTransitionTime(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
                        .build())
                .withSupportedFeatures(java.util.Arrays.stream(features).sorted()
                        .map(f -> new SupportedFeatureBuilder().withName(f).build()).toList())
                .build());
        client.resource(gatewayClass).updateStatus();
    }

    /** The usual test Rollout routed by the Gateway API through Gateway public of its namespace, then {@code customize}d. */
    private static Consumer<Rollout> gatewayApi(Consumer<Rollout> customize) {
        return r -> {
            r.getSpec().getService().setProvider(RoutingProvider.GatewayAPI);
            r.getSpec().getService().setParentRefs(List.of(new ParentRef("public", null)));
            AnalysisSpec analysis = r.getSpec().getAnalysis();
            analysis.setMetrics(List.of());
            analysis.setSkipAnalysis(true);
            customize.accept(r);
        };
    }

    private HTTPRoute httpRoute() {
        return client.resources(HTTPRoute.class).inNamespace(fx.namespace).withName("podinfo").get();
    }

    /** primary/canary(/baseline) weights of the default rule, "+ab" with an A/B rule, "+mirror" with a mirror. */
    private static String describe(HTTPRoute route) {
        if (route == null) {
            return "none";
        }
        List<HTTPRouteRule> rules = route.getSpec().getRules();
        HTTPRouteRule split = rules.get(rules.size() - 1);
        String weights = split.getBackendRefs().stream().map(b -> String.valueOf(b.getWeight()))
                .collect(java.util.stream.Collectors.joining("/"));
        return weights + (rules.size() > 1 ? "+ab" : "") + (split.getFilters() == null || split.getFilters().isEmpty() ? "" : "+mirror");
    }

    /** Records each distinct routing the HTTPRoute goes through, in order, as a watch delivers every write. */
    private void watchRoutes() {
        HTTPRoute now = await().atMost(Duration.ofSeconds(10)).until(this::httpRoute, r -> r != null);
        routes.add(describe(now));
        watch = client.resources(HTTPRoute.class).inNamespace(fx.namespace).watch(new ListOptionsBuilder()
                .withResourceVersion(now.getMetadata().getResourceVersion()).build(), new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, HTTPRoute route) {
                        if (action != Action.DELETED) {
                            String description = describe(route);
                            synchronized (routes) {
                                if (!routes.get(routes.size() - 1).equals(description)) {
                                    routes.add(description);
                                }
                            }
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }

    private Condition condition(String type) {
        Rollout rollout = fx.rollout();
        return rollout == null || rollout.getStatus() == null ? null
                : Conditions.find(rollout.getStatus().getConditions(), type).orElse(null);
    }

    private Condition awaitCondition(String type, String reason) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> condition(type), c -> c != null && reason.equals(c.getReason()));
    }

    private static StringMatch exact(String value) {
        StringMatch match = new StringMatch();
        match.setExact(value);
        return match;
    }

    private static StringMatch prefix(String value) {
        StringMatch match = new StringMatch();
        match.setPrefix(value);
        return match;
    }

    private static StringMatch regex(String value) {
        StringMatch match = new StringMatch();
        match.setRegex(value);
        return match;
    }
}
