package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster lab ({@link Lab.Mode#CLUSTER}): a real kubelet runs the demo's locally built image
 * as a container through containerd and runc, the Pod gets an address on the lab's bridge, and
 * it answers HTTP there and behind a ClusterIP Service (kube-proxy, iptables), all inside the
 * lab's own network namespace. Surefire runs the tests tagged {@code cluster} in a JVM started by
 * e2e/lab/netns.sh (the pom's {@code cluster} execution); anywhere else they are skipped, saying why.
 */
@Tag("cluster")
class ClusterLabTest {

    private static final String NAMESPACE = "cluster";
    private static Lab lab;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        Optional<String> unavailable = LabNamespace.unavailable();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "cluster lab skipped: " + unavailable.orElse("")
                + " (needs root, Debian's containerd, runc, containernetworking-plugins, iptables, iproute2,"
                + " and a JVM started by e2e/lab/netns.sh, as the pom's cluster execution does)");
        Path root = Path.of(System.getProperty("ramp.root", "../.."));
        Path dir = Path.of(System.getProperty("ramp.lab.dir", "target/lab") + "-cluster");
        lab = new Lab(root, dir, Lab.Mode.CLUSTER).startClusterOnly();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theDemoImageRunsAsARealPodAndAnswersOnItsIpAndItsClusterIp() throws Exception {
        var client = lab.client();
        assertThat(client.nodes().withName(ControlPlane.NODE).get().getStatus().getNodeInfo())
                .satisfies(info -> {
                    assertThat(info.getKubeletVersion()).startsWith("v1.");
                    assertThat(info.getContainerRuntimeVersion()).startsWith("containerd://");
                });
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                .serverSideApply();
        long deployed = System.nanoTime();
        client.apps().deployments().inNamespace(NAMESPACE).resource(new DeploymentBuilder()
                .withNewMetadata().withName("demo").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "demo").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "demo").endMetadata()
                .withNewSpec().addNewContainer().withName("demo").withImage("ramp.dev/demo:2.0.0")
                .withImagePullPolicy("Never").addNewPort().withContainerPort(9898).endPort()
                .addNewEnv().withName("LATENCY_MS").withValue("5").endEnv()
                .addNewEnv().withName("ERROR_RATE").withValue("0").endEnv()
                .withNewReadinessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(9898))
                .endHttpGet().withPeriodSeconds(1).endReadinessProbe()
                .endContainer().endSpec().endTemplate().endSpec().build()).serverSideApply();
        client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName("demo")
                .endMetadata().withNewSpec().addToSelector("app", "demo").addNewPort().withPort(80)
                .withTargetPort(new IntOrString(9898)).endPort().endSpec().build()).serverSideApply();

        Pod pod = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> client.pods().inNamespace(NAMESPACE).withLabel("app", "demo").list().getItems()
                        .stream().filter(PodRunner::ready).findFirst(), Optional::isPresent).orElseThrow();
        Lab.log("pod %s Running and Ready at %s, %.1fs after the Deployment was applied".formatted(
                pod.getMetadata().getName(), pod.getStatus().getPodIP(), (System.nanoTime() - deployed) / 1e9));
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(pod.getStatus().getPodIP()).startsWith("10.88.");
        assertThat(pod.getStatus().getContainerStatuses().get(0).getContainerID()).startsWith("containerd://");

        HttpResponse<String> direct = get("http://" + pod.getStatus().getPodIP() + ":9898/");
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(direct.body()).contains("\"version\":\"2.0.0\"").contains(pod.getMetadata().getName());

        String clusterIp = client.services().inNamespace(NAMESPACE).withName("demo").get().getSpec().getClusterIP();
        assertThat(clusterIp).startsWith("10.96.");
        // kube-proxy writes the Service's rules once its EndpointSlice lists the Ready Pod.
        HttpResponse<String> viaService = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> get("http://" + clusterIp + "/"), r -> r.statusCode() == 200);
        assertThat(viaService.headers().firstValue("X-Version")).contains("2.0.0");

        // The container's own output, read by the API server from the kubelet.
        assertThat(lab.kubectl("logs", "-n", NAMESPACE, pod.getMetadata().getName())).contains("demo 2.0.0 on :9898");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
