package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * metrics-server in the cluster lab ({@link MetricsServer}): the real kubelet's resource metrics
 * reach the API server's {@code metrics.k8s.io} through the aggregation layer, and an
 * {@code autoscaling/v2} HorizontalPodAutoscaler on CPU scales a plain Deployment of the demo
 * when the lab's load generator makes its Pod spend CPU ({@code ?cpu_ms=}). Runs in the pom's
 * {@code cluster} execution; anywhere else it is skipped, saying why.
 */
@Tag("cluster")
class MetricsServerLabTest {

    private static Lab lab;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        Optional<String> unavailable = LabNamespace.unavailable();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "metrics-server runs only in the cluster lab: " + unavailable.orElse("")
                + " (needs root and a JVM started by e2e/lab/netns.sh, as the pom's cluster execution does)");
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        lab = new Lab(root, Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-metrics"), Lab.Mode.CLUSTER)
                .startClusterOnly();
        lab.metricsServer().awaitAvailable();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void podMetricsOfADemoPodArriveThroughTheApiServer() throws Exception {
        String namespace = "metrics";
        try {
            apply(namespace, demo(namespace, "50m") + "---\n" + service(namespace));
            Pod pod = readyPod(namespace);
            // A Pod's first sample needs two scrapes of the kubelet after its container started.
            PodMetrics metrics = await("PodMetrics of " + pod.getMetadata().getName()).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> lab.client().top().pods().metrics(namespace, pod.getMetadata().getName()),
                            m -> m != null && !m.getContainers().isEmpty());
            Lab.log("PodMetrics %s/%s: %s over %s".formatted(namespace, pod.getMetadata().getName(),
                    metrics.getContainers().get(0).getUsage(), metrics.getWindow()));
            assertThat(metrics.getContainers()).singleElement().satisfies(c -> {
                assertThat(c.getName()).isEqualTo("demo");
                assertThat(c.getUsage()).containsKeys("cpu", "memory");
                assertThat(Quantity.getAmountInBytes(c.getUsage().get("memory")).longValue()).as("memory in use, bytes")
                        .isPositive();
            });
            assertThat(lab.client().top().nodes().metrics(ControlPlane.NODE).getUsage()).containsKeys("cpu", "memory");
            assertThat(TraefikGateway.condition(lab.metricsServer().apiService(), "Available")).isEqualTo("True");
            // What a user runs (docs/lab.md): kubectl top, through the same API.
            assertThat(lab.kubectl("top", "pods", "-n", namespace)).contains(pod.getMetadata().getName());
        } finally {
            lab.kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found");
        }
    }

    @Test
    void aHorizontalPodAutoscalerOnCpuScalesTheDemoUpUnderLoad() throws Exception {
        String namespace = "hpa";
        try {
            // A request of 20m and a target of 50%: 10 ms of CPU per request at 20 a second is
            // about 200m, ten times the target on one Pod, however busy the machine is.
            apply(namespace, demo(namespace, "20m") + "---\n" + service(namespace) + "---\n" + autoscaler(namespace));
            readyPod(namespace);
            String clusterIp = lab.client().services().inNamespace(namespace).withName("demo").get().getSpec().getClusterIP();
            // kube-proxy writes the Service's rules once its EndpointSlice lists the Ready Pod.
            await("the demo answering at its ClusterIP").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(URI.create("http://" + clusterIp + "/"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            // Bounded: at most 20 requests a second for 3 minutes, stopped as soon as the HPA has scaled.
            long loaded = System.nanoTime();
            try (LoadGenerator load = new LoadGenerator(clusterIp + ":80", "/?cpu_ms=10", "demo", namespace, 20, Map.of(),
                    20 * 180)) {
                HorizontalPodAutoscaler scaled = await("the HPA scaling the demo above 1 replica on CPU")
                        .atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> hpa(namespace), h -> h.getStatus() != null && h.getStatus().getDesiredReplicas() != null
                                && h.getStatus().getDesiredReplicas() > 1);
                int answered = load.results().size();
                List<LoadGenerator.Result> failed = load.results().stream().filter(LoadGenerator.Result::failed).toList();
                Lab.log("HPA %s/demo: %d -> %d replicas %.1fs after the load began, current metrics %s, after %d requests (%d failed)"
                        .formatted(namespace, scaled.getStatus().getCurrentReplicas(), scaled.getStatus().getDesiredReplicas(),
                                (System.nanoTime() - loaded) / 1e9, scaled.getStatus().getCurrentMetrics(), answered,
                                failed.size()));
                List<MetricStatus> current = scaled.getStatus().getCurrentMetrics();
                assertThat(current).singleElement().satisfies(m -> {
                    assertThat(m.getType()).isEqualTo("Resource");
                    assertThat(m.getResource().getName()).isEqualTo("cpu");
                    assertThat(m.getResource().getCurrent().getAverageUtilization()).as("CPU utilisation, %% of the request")
                            .isGreaterThan(50);
                });
                assertThat(scaled.getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("ScalingActive");
                    assertThat(c.getStatus()).isEqualTo("True");
                });
                assertThat(answered).as("requests answered").isPositive();
                assertThat(failed).as("requests failed").isEmpty();
            }
            // The Deployment follows the HPA: more Pods, Ready.
            await("the demo Deployment scaled by its HPA").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> lab.client().apps().deployments().inNamespace(namespace).withName("demo").get().getStatus(),
                            s -> s.getReadyReplicas() != null && s.getReadyReplicas() > 1);
        } finally {
            lab.kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found");
        }
    }

    private static HorizontalPodAutoscaler hpa(String namespace) {
        return lab.client().autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName("demo").get();
    }

    private static Pod readyPod(String namespace) {
        return await("a Ready demo Pod in " + namespace).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> lab.client().pods().inNamespace(namespace).withLabel("app", "demo").list().getItems().stream()
                        .filter(PodRunner::ready).findFirst(), Optional::isPresent).orElseThrow();
    }

    private static void apply(String namespace, String objects) throws Exception {
        Path manifests = lab.dir().resolve(namespace + ".yaml");
        Files.writeString(manifests, "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + namespace + "}\n---\n" + objects);
        lab.kubectl("apply", "-f", manifests.toString());
    }

    /** A plain Deployment of the demo (no Rollout), one replica, requesting {@code cpu}. */
    private static String demo(String namespace, String cpu) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: demo, namespace: %s}
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: demo}
                  template:
                    metadata:
                      labels: {app: demo}
                    spec:
                      containers:
                        - name: demo
                          image: ramp.dev/demo:1.0.0
                          imagePullPolicy: Never
                          ports: [{containerPort: 9898}]
                          env:
                            - {name: ERROR_RATE, value: "0"}
                            - {name: LATENCY_MS, value: "1"}
                          readinessProbe:
                            httpGet: {path: /healthz, port: 9898}
                            periodSeconds: 1
                          resources:
                            requests: {cpu: %s, memory: 16Mi}
                """.formatted(namespace, cpu);
    }

    private static String service(String namespace) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: demo, namespace: %s}
                spec:
                  selector: {app: demo}
                  ports: [{port: 80, targetPort: 9898}]
                """.formatted(namespace);
    }

    /** An autoscaling/v2 HPA on the demo: 1 to 3 replicas, 50% of the CPU request on average. */
    private static String autoscaler(String namespace) {
        return """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: demo, namespace: %s}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: demo}
                  minReplicas: 1
                  maxReplicas: 3
                  metrics:
                    - type: Resource
                      resource:
                        name: cpu
                        target: {type: Utilization, averageUtilization: 50}
                """.formatted(namespace);
    }
}
