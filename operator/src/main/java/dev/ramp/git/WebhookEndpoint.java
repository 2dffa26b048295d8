package dev.ramp.git;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Runs the {@link WebhookServer} for the life of the Quarkus application, on {@code ramp.git.webhook.port}. */
@ApplicationScoped
public class WebhookEndpoint {

    private final WebhookServer server;
    private final int port;

    public WebhookEndpoint(KubernetesClient client, SyncRequests requests,
            @ConfigProperty(name = "ramp.git.webhook.port") int port) {
        this.server = new WebhookServer(client, requests);
        this.port = port;
    }

    void start(@Observes StartupEvent event) {
        try {
            server.start(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for Git webhooks on port " + port, e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        server.close();
    }
}
