package dev.ramp.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ramp.api.GitSource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Receives push webhooks at {@code POST /hooks/<namespace>/<gitsource>} and syncs that GitSource
 * at once when the push is to its branch. Only signed requests are accepted: a GitSource without
 * {@code webhookSecretRef}, or a signature that does not verify, gets 401 and nothing happens.
 */
public class WebhookServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WebhookServer.class);
    private static final int MAX_BODY = 5 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final SyncRequests requests;
    private HttpServer server;

    public WebhookServer(KubernetesClient client, SyncRequests requests) {
        this.client = client;
        this.requests = requests;
    }

    public WebhookServer start(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext("/hooks/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        LOG.infof("receiving Git push webhooks on %s/hooks/<namespace>/<gitsource>", server.getAddress());
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "only POST is accepted");
                return;
            }
            String[] parts = exchange.getRequestURI().getPath().split("/");
            if (parts.length != 4) {
                respond(exchange, 404, "use /hooks/<namespace>/<gitsource>");
                return;
            }
            byte[] body = read(exchange.getRequestBody());
            if (body == null) {
                respond(exchange, 413, "body larger than " + MAX_BODY + " bytes");
                return;
            }
            respond(exchange, parts[2], parts[3], body);
        }
    }

    private void respond(HttpExchange exchange, String namespace, String name, byte[] body) throws IOException {
        GitSource source = client.resources(GitSource.class).inNamespace(namespace).withName(name).get();
        if (source == null) {
            respond(exchange, 404, "GitSource " + namespace + "/" + name + " not found");
            return;
        }
        var headers = exchange.getRequestHeaders();
        if (!WebhookSignature.verifies(key(source), body, headers.getFirst("X-Hub-Signature-256"),
                headers.getFirst("X-Gitlab-Token"))) {
            LOG.warnf("gitsource %s/%s: refused a webhook whose signature does not verify", namespace, name);
            respond(exchange, 401, "signature does not verify with the key of spec.webhookSecretRef");
            return;
        }
        String event = headers.getFirst("X-GitHub-Event") != null ? headers.getFirst("X-GitHub-Event")
                : headers.getFirst("X-Gitlab-Event");
        if ("ping".equals(event)) {
            respond(exchange, 200, "pong");
            return;
        }
        String ref = ref(body);
        String branchRef = "refs/heads/" + source.getSpec().getBranch();
        if (ref != null && !ref.equals(branchRef)) {
            respond(exchange, 202, "push to " + ref + " ignored: GitSource follows " + branchRef);
            return;
        }
        LOG.infof("gitsource %s/%s: push webhook (%s): syncing now", namespace, name, ref);
        requests.request(namespace, name);
        respond(exchange, 202, "sync of GitSource " + namespace + "/" + name + " requested");
    }

    private byte[] key(GitSource source) {
        var ref = source.getSpec().getWebhookSecretRef();
        if (ref == null) {
            return null;
        }
        Secret secret = client.secrets().inNamespace(source.getMetadata().getNamespace()).withName(ref.getName()).get();
        if (secret == null) {
            return null;
        }
        if (secret.getData() != null && secret.getData().get("secret") != null) {
            return Base64.getDecoder().decode(secret.getData().get("secret"));
        }
        String value = secret.getStringData() == null ? null : secret.getStringData().get("secret");
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    private static String ref(byte[] body) {
        try {
            JsonNode ref = JSON.readTree(body).get("ref");
            return ref == null ? null : ref.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] read(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? null : body;
    }

    private static void respond(HttpExchange exchange, int code, String message) throws IOException {
        byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }
}
