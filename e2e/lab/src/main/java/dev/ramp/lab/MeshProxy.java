package dev.ramp.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A stand-in for Istio's data plane, for the lab only: one HTTP proxy on loopback that routes
 * each request as the sidecars would by the VirtualService for its Host (the {@code http} routes
 * in order, their {@code match}, weighted destinations and {@code mirror}), to a ready Pod behind
 * the destination Service, and exports Istio's standard telemetry for it at {@code /metrics}, with
 * the destination Pod's canonical revision as Istio reports it ({@link MeshTelemetry}).
 * A request names its service in the Host header: {@code podinfo.<namespace>}.
 */
final class MeshProxy implements AutoCloseable {

    private final Endpoints pods;
    private final KubernetesClient client;
    private volatile SharedIndexInformer<GenericKubernetesResource> virtualServices;
    private volatile SharedIndexInformer<Service> services;
    private final MeshTelemetry telemetry = new MeshTelemetry();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(64, r -> PodRunner.daemon(r, "mesh"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).executor(pool).build();

    MeshProxy(KubernetesClient client, Endpoints pods) throws IOException {
        this.pods = pods;
        this.client = client;
        inform();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.createContext("/metrics", this::metrics);
        server.createContext("/", this::proxy);
        server.setExecutor(pool);
        server.start();
    }

    private void inform() {
        this.virtualServices = client.genericKubernetesResources("networking.istio.io/v1", "VirtualService")
                .inAnyNamespace().inform();
        this.services = client.services().inAnyNamespace().inform();
    }

    /** Whether its informers (VirtualServices, Services) watch the API server. */
    boolean watching() {
        return virtualServices.isWatching() && services.isWatching();
    }

    /** Lists and watches afresh, as a mesh's control plane does when it reconnects (the lab's outage benchmark). */
    void reinform() {
        SharedIndexInformer<GenericKubernetesResource> oldVirtualServices = virtualServices;
        SharedIndexInformer<Service> oldServices = services;
        inform();
        oldVirtualServices.close();
        oldServices.close();
    }

    /** host:port of the proxy, where the load generator sends its requests and Prometheus scrapes. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = telemetry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void proxy(HttpExchange exchange) throws IOException {
        try (exchange) {
            String host = exchange.getRequestHeaders().getFirst("Host");
            String[] parts = (host == null ? "" : host.replaceFirst(":\\d+$", "")).split("\\.");
            String namespace = parts.length > 1 ? parts[1] : "default";
            String service = parts[0];
            MeshRoute.Decision decision = virtualService(namespace, service)
                    .map(vs -> MeshRoute.decide(vs, exchange.getRequestURI().getPath(), exchange.getRequestHeaders()))
                    .orElse(MeshRoute.Decision.direct(service));
            if (decision.destination() == null) {
                reply(exchange, 404, "no route for " + host + exchange.getRequestURI().getPath());
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (decision.mirror() != null) {
                pool.submit(() -> forward(exchange, namespace, decision.mirror(), body));
            }
            Forwarded answer = forward(exchange, namespace, decision.destination(), body);
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            reply(exchange, answer.status(), answer.body());
        }
    }

    private record Forwarded(int status, byte[] body, Map<String, String> headers) {
    }

    private Forwarded forward(HttpExchange exchange, String namespace, String destination, byte[] body) {
        String serviceName = destination.split("\\.")[0];
        String serviceNamespace = destination.contains(".") ? destination.split("\\.")[1] : namespace;
        Service service = services.getStore().getByKey(serviceNamespace + "/" + serviceName);
        if (service == null || service.getSpec().getSelector() == null) {
            return new Forwarded(503, bytes("no healthy upstream: no service " + destination), Map.of());
        }
        List<Pod> endpoints = pods.endpoints(serviceNamespace, service.getSpec().getSelector());
        if (endpoints.isEmpty()) {
            return new Forwarded(503, bytes("no healthy upstream: " + destination), Map.of());
        }
        Pod pod = endpoints.get(ThreadLocalRandom.current().nextInt(endpoints.size()));
        int port = targetPort(service);
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + pod.getStatus().getPodIP() + ":" + port + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(10))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            telemetry.record(pod, serviceName, response.statusCode(), (System.nanoTime() - start) / 1e6);
            Map<String, String> headers = new java.util.HashMap<>();
            response.headers().firstValue("X-Version").ifPresent(v -> headers.put("X-Version", v));
            response.headers().firstValue("Content-Type").ifPresent(v -> headers.put("Content-Type", v));
            return new Forwarded(response.statusCode(), response.body(), headers);
        } catch (IOException e) {
            return new Forwarded(503, bytes("upstream connect error: " + e), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Forwarded(503, bytes("interrupted"), Map.of());
        }
    }

    private static int targetPort(Service service) {
        var port = service.getSpec().getPorts().get(0);
        if (port.getTargetPort() != null && port.getTargetPort().getIntVal() != null) {
            return port.getTargetPort().getIntVal();
        }
        return port.getPort();
    }

    private Optional<GenericKubernetesResource> virtualService(String namespace, String service) {
        List<String> names = List.of(service, service + "." + namespace, service + "." + namespace + ".svc.cluster.local");
        return virtualServices.getStore().list().stream()
                .filter(vs -> namespace.equals(vs.getMetadata().getNamespace()))
                .filter(vs -> MeshRoute.hosts(vs).stream().anyMatch(names::contains))
                .findFirst();
    }

    private static byte[] bytes(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        reply(exchange, status, bytes(text));
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        virtualServices.close();
        services.close();
        pool.shutdownNow();
    }
}
