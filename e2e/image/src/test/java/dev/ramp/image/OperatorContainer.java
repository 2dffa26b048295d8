package dev.ramp.image;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The operator's image run as the Helm chart runs it (default profile, leader election on),
 * on the host's network so that it reaches the tests' kube-apiserver on loopback. Every port it
 * listens on is a free one chosen here, since the host's network is shared.
 */
final class OperatorContainer extends GenericContainer<OperatorContainer> {

    static final String IMAGE = System.getProperty("ramp.image", "ramp/operator:0.1.0-SNAPSHOT");
    static final String LEASE = "ramp-operator";

    private final int httpPort = freePort();
    private final int managementPort = freePort();

    /** The operator with its Lease in this namespace, or, if null, none given: neither in the environment nor in the kubeconfig. */
    OperatorContainer(TestCluster cluster, String leaseNamespace) {
        super(DockerImageName.parse(IMAGE));
        withNetworkMode("host");
        withCopyToContainer(Transferable.of(selfContained(cluster.kubeconfig()), 0644), "/config/kubeconfig");
        withEnv("KUBECONFIG", "/config/kubeconfig");
        withEnv("RAMP_LEADER_ELECTION_LEASE_NAME", LEASE);
        if (leaseNamespace != null) {
            withEnv("RAMP_LEADER_ELECTION_LEASE_NAMESPACE", leaseNamespace);
        }
        withEnv("RAMP_PROMETHEUS_ADDRESS", "http://127.0.0.1:9");
        withEnv("RAMP_GIT_WEBHOOK_PORT", String.valueOf(freePort()));
        withEnv("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        withEnv("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        // As the chart's securityContext: read-only root filesystem with an emptyDir on /tmp, no
        // capabilities, no privilege escalation; the user is the image's own.
        withTmpFs(Map.of("/tmp", "rw,size=64m"));
        withCreateContainerCmdModifier(create -> create.getHostConfig()
                .withReadonlyRootfs(true)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges")));
    }

    /** Where /q/health is served: the management interface when the operator enables one. */
    int healthPort() {
        return managementEnabled() ? managementPort : httpPort;
    }

    /** The HTTP status of GET /q/health/ready, or -1 while nothing answers. */
    int ready() {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Sends a signal to the operator's process, as the kubelet does when it stops a pod. */
    void signal(String signal) {
        getDockerClient().killContainerCmd(getContainerId()).withSignal(signal).exec();
    }

    InspectContainerResponse.ContainerState state() {
        return getDockerClient().inspectContainerCmd(getContainerId()).exec().getState();
    }

    /**
     * The kubeconfig with the certificates it names by path inlined, for use in another
     * filesystem, and no namespace in its contexts (the operator must be told).
     */
    static String selfContained(String kubeconfig) {
        Config config = KubeConfigUtils.parseConfigFromString(kubeconfig);
        config.getContexts().forEach(context -> context.getContext().setNamespace(null));
        for (NamedCluster cluster : config.getClusters()) {
            Cluster c = cluster.getCluster();
            if (c.getCertificateAuthority() != null) {
                c.setCertificateAuthorityData(base64(c.getCertificateAuthority()));
                c.setCertificateAuthority(null);
            }
        }
        for (NamedAuthInfo user : config.getUsers()) {
            AuthInfo u = user.getUser();
            if (u.getClientCertificate() != null) {
                u.setClientCertificateData(base64(u.getClientCertificate()));
                u.setClientCertificate(null);
            }
            if (u.getClientKey() != null) {
                u.setClientKeyData(base64(u.getClientKey()));
                u.setClientKey(null);
            }
        }
        return Serialization.asYaml(config);
    }

    private static String base64(String file) {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean managementEnabled() {
        Path file = TestCluster.repoRoot().resolve("operator/src/main/resources/application.properties");
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Boolean.parseBoolean(properties.getProperty("quarkus.management.enabled", "false").trim());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
