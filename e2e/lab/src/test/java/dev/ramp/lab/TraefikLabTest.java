package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Traefik carries the users' traffic in the cluster lab ({@link TraefikGateway}): the lab's load
 * generator sends its requests to Traefik's Service with the route's host, Traefik sends them to
 * real Pods of two versions by the weights of an HTTPRoute written by hand, and the lab's
 * Prometheus has Traefik's per-backend metrics. Runs in the pom's {@code cluster} execution; on
 * the kwok lab, which runs no Traefik, it is skipped, saying why.
 */
@Tag("cluster")
class TraefikLabTest {

    private static final String NAMESPACE = "traefik-split";
    private static final String HOST = "podinfo." + NAMESPACE;
    private static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        Lab.Mode mode = Lab.Mode.preferred(root);
        Assumptions.assumeTrue(mode == Lab.Mode.CLUSTER, "Traefik runs only in the cluster lab; this machine runs " + mode);
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-traefik"), mode).start();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void traefikSendsTheUsersRequestsToRealPodsByTheRoutesWeightsAndCountsThemPerBackend() throws Exception {
        Path manifests = lab.dir().resolve("traefik-split.yaml");
        Files.writeString(manifests, apps() + route(80, 20));
        lab.kubectl("apply", "-f", manifests.toString());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> lab.client().pods()
                .inNamespace(NAMESPACE).list().getItems().stream().filter(PodRunner::ready).count() == 2);
        await("HTTPRoute Accepted and its refs resolved by Traefik").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    var route = lab.client().genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
                            .inNamespace(NAMESPACE).withName("podinfo").get();
                    return "True".equals(parentCondition(route, "Accepted")) && "True".equals(parentCondition(route, "ResolvedRefs"));
                });
        // Traefik applies a route's change about 130 ms after its write (until then it answers 404),
        // and a backend's endpoints once their EndpointSlice reaches it, up to 2 s after its previous
        // change (until then that backend's share is answered 503): both backends must have answered.
        await("both backends answering through Traefik").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    List<LoadGenerator.Result> probe = requests(20);
                    return probe.stream().noneMatch(LoadGenerator.Result::failed)
                            && versions(probe).keySet().containsAll(List.of("1.0.0", "2.0.0"));
                });

        List<LoadGenerator.Result> split = requests(200);
        Map<String, Long> versions = versions(split);
        Lab.log("200 requests through Traefik at weights 80/20: " + versions);
        assertThat(split).hasSize(200).noneMatch(LoadGenerator.Result::failed);
        assertThat(versions).containsOnlyKeys("1.0.0", "2.0.0");
        assertThat(versions.get("2.0.0")).as("requests on the 20% backend").isBetween(30L, 50L);

        Files.writeString(manifests, route(0, 100));
        lab.kubectl("apply", "-f", manifests.toString());
        await("every request on version 2.0.0 after the weights 0/100").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> versions(requests(5)).equals(Map.of("2.0.0", 5L)));
        List<LoadGenerator.Result> switched = requests(50);
        Lab.log("50 requests through Traefik at weights 0/100: " + versions(switched));
        assertThat(switched).hasSize(50).noneMatch(LoadGenerator.Result::failed);
        assertThat(versions(switched)).isEqualTo(Map.of("2.0.0", 50L));

        String query = "sum by (service) (traefik_service_requests_total{service=~\"httproute-" + NAMESPACE + "-podinfo-.*\"})";
        Map<String, Double> perBackend = await("traefik_service_requests_total for both backends in Prometheus")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> lab.prometheus().byLabel(query, "service"), m -> m.size() == 2
                        && m.values().stream().mapToDouble(Double::doubleValue).sum() >= 250);
        Lab.log("Prometheus: " + query + " = " + perBackend);
        // The label the built-in metrics and the lab's MetricTemplate pick a backend's requests by.
        String v1 = perBackend.keySet().stream().filter(s -> s.matches(TraefikGateway.serviceLabel(NAMESPACE, "podinfo-v1")))
                .findFirst().orElseThrow(() -> new AssertionError("no series of podinfo-v1 in " + perBackend));
        String v2 = perBackend.keySet().stream().filter(s -> s.matches(TraefikGateway.serviceLabel(NAMESPACE, "podinfo-v2")))
                .findFirst().orElseThrow(() -> new AssertionError("no series of podinfo-v2 in " + perBackend));
        assertThat(perBackend.get(v1)).as("requests counted on the 1.0.0 backend").isGreaterThanOrEqualTo(150);
        assertThat(perBackend.get(v2)).as("requests counted on the 2.0.0 backend").isGreaterThanOrEqualTo(90);
        // Buckets fine enough for a p99 of a fast service.
        assertThat(lab.prometheus().query("sum(traefik_service_request_duration_seconds_bucket{service=\"" + v2
                + "\",le=\"0.005\"})")).isNotNull();
    }

    /**
     * What the lab deploys for an app on the Gateway API ({@link LabApp.DataPlane#GATEWAY_API}) is
     * what the API server accepts: the Rollout with {@code provider: GatewayAPI}, the users' host
     * and the lab's Gateway as parent, and the MetricTemplate over Traefik's metrics; and Ramp is
     * installed allowing that Gateway of another namespace.
     */
    @Test
    void anAppOnTheGatewayApiIsDeclaredAsRampAcceptsIt() throws Exception {
        String namespace = "gateway-app";
        lab.kubectl("create", "namespace", namespace);
        Path rollout = lab.dir().resolve("gateway-app.yaml");
        Files.writeString(rollout, Manifests.rollout(Manifests.Analysis.DEFAULTS, 60, "Canary", "",
                Manifests.gatewayService(namespace)) + "---\n" + Manifests.metricTemplate(true));
        String applied = lab.kubectl("apply", "--dry-run=server", "-n", namespace, "-f", rollout.toString(), "-o", "yaml");
        assertThat(applied).contains("provider: GatewayAPI").contains("- podinfo." + namespace)
                .contains("name: " + TraefikGateway.GATEWAY).contains("namespace: " + TraefikGateway.NAMESPACE)
                .contains("traefik_service_requests_total{service=~");
        assertThat(lab.helmOperator().pods()).isNotEmpty().allSatisfy(pod -> assertThat(pod.getSpec().getContainers().get(0)
                .getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("RAMP_ROUTING_ALLOWED_GATEWAYS");
                    assertThat(e.getValue()).isEqualTo(TraefikGateway.NAMESPACE + "/" + TraefikGateway.GATEWAY);
                }));
    }

    /** {@code count} requests from the lab's load generator through Traefik, 50 a second; all of them, once answered. */
    private static List<LoadGenerator.Result> requests(int count) {
        LoadGenerator load = new LoadGenerator(lab.gatewayAddress(), "podinfo", NAMESPACE, 50, Map.of(), count);
        try {
            return await().atMost(Duration.ofSeconds(count / 50 + 15)).pollInterval(Duration.ofMillis(100))
                    .until(load::results, r -> r.size() == count);
        } finally {
            load.close();
        }
    }

    private static Map<String, Long> versions(List<LoadGenerator.Result> results) {
        return results.stream().collect(Collectors.groupingBy(r -> r.version() == null ? "status " + r.status() : r.version(),
                Collectors.counting()));
    }

    @SuppressWarnings("unchecked")
    private static String parentCondition(io.fabric8.kubernetes.api.model.GenericKubernetesResource route, String type) {
        if (route == null || !(route.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return null;
        }
        for (Object parent : (List<Object>) ((Map<String, Object>) status).getOrDefault("parents", List.of())) {
            var wrapped = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
            wrapped.setAdditionalProperty("status", parent);
            String found = TraefikGateway.condition(wrapped, type);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Two Deployments of the demo, 1.0.0 and 2.0.0, one Pod each, each behind its own Service. */
    private static String apps() {
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: %s}
                ---
                """.formatted(NAMESPACE) + List.of("1.0.0", "2.0.0").stream().map(version -> {
                    String name = "podinfo-v" + version.charAt(0);
                    return """
                            apiVersion: apps/v1
                            kind: Deployment
                            metadata: {name: %1$s, namespace: %2$s}
                            spec:
                              replicas: 1
                              selector:
                                matchLabels: {app: %1$s}
                              template:
                                metadata:
                                  labels: {app: %1$s}
                                spec:
                                  containers:
                                    - name: podinfo
                                      image: ramp.dev/demo:%3$s
                                      imagePullPolicy: Never
                                      ports: [{containerPort: 9898}]
                                      env:
                                        - {name: ERROR_RATE, value: "0"}
                                        - {name: LATENCY_MS, value: "2"}
                                      readinessProbe:
                                        httpGet: {path: /healthz, port: 9898}
                                        periodSeconds: 1
                            ---
                            apiVersion: v1
                            kind: Service
                            metadata: {name: %1$s, namespace: %2$s}
                            spec:
                              selector: {app: %1$s}
                              ports: [{name: http, port: 9898}]
                            ---
                            """.formatted(name, NAMESPACE, version);
                }).collect(Collectors.joining());
    }

    /** The HTTPRoute on the lab's Gateway, for the users' host, splitting between the two versions. */
    private static String route(int v1, int v2) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: podinfo, namespace: %s}
                spec:
                  parentRefs: [{name: %s, namespace: %s}]
                  hostnames: [%s]
                  rules:
                    - backendRefs:
                        - {name: podinfo-v1, port: 9898, weight: %d}
                        - {name: podinfo-v2, port: 9898, weight: %d}
                """.formatted(NAMESPACE, TraefikGateway.GATEWAY, TraefikGateway.NAMESPACE, HOST, v1, v2);
    }
}
