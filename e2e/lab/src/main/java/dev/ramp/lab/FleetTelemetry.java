package dev.ramp.lab;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Istio's request metrics for a fleet of canaries that no process serves: the scale benchmark's
 * workloads run as kwok's Pods, so no request is ever answered. For every Deployment that runs
 * Ramp's canary (a target with replicas and the canonical-revision label Ramp puts on its
 * template), {@code /metrics} reports {@code istio_requests_total} growing at {@link #RATE}
 * requests a second from the moment it first ran, as Istio's destination sidecar would; a canary
 * whose image is tagged {@link #FAILING_TAG} answers 30% of them 5xx. The counters follow the
 * Deployments (an informer), so what Ramp queries for each canary is what the benchmark decided.
 *
 * <p>{@link #forFlagger}: Flagger's canary is the target Deployment itself while Flagger has it
 * scaled up (its primary is {@code <target>-primary}), with no revision label; its series carry
 * the image's tag as the revision, so each release's canary counts from zero as Ramp's does.
 */
final class FleetTelemetry implements AutoCloseable {

    /** Requests a second each running canary reports. */
    static final int RATE = 10;
    /** The image tag of a canary that fails 30% of its requests. */
    static final String FAILING_TAG = "3.0.0";
    private static final double FAILING_SHARE = 0.3;
    /** Istio's canonical-revision label, which Ramp puts on its canary's pod template. */
    private static final String CANONICAL_REVISION_LABEL = "service.istio.io/canonical-revision";

    private record Series(String namespace, String workload, String revision, boolean failing) {
    }

    /** When each canary revision began to report, in nanoseconds of {@link System#nanoTime}. */
    private final Map<Series, Long> since = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Deployment> deployments;
    private final HttpServer server;
    private final boolean flagger;

    /** For Ramp's canaries. */
    FleetTelemetry(KubernetesClient client) throws IOException {
        this(client, false);
    }

    /** For Flagger's canaries: every target Deployment with replicas. */
    static FleetTelemetry forFlagger(KubernetesClient client) throws IOException {
        return new FleetTelemetry(client, true);
    }

    private FleetTelemetry(KubernetesClient client, boolean flagger) throws IOException {
        this.flagger = flagger;
        deployments = client.apps().deployments().inAnyNamespace().inform();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/metrics", exchange -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.start();
    }

    /** host:port for Prometheus' static target. */
    String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private String scrape() {
        long now = System.nanoTime();
        Map<Series, Boolean> running = new ConcurrentHashMap<>();
        for (Deployment deployment : deployments.getStore().list()) {
            Series series = canary(deployment);
            if (series != null) {
                running.put(series, true);
                since.putIfAbsent(series, now);
            }
        }
        since.keySet().retainAll(running.keySet());
        StringBuilder out = new StringBuilder("# TYPE istio_requests_total counter\n");
        since.forEach((series, from) -> {
            long requests = (long) (RATE * (now - from) / 1e9);
            long failed = series.failing() ? (long) (requests * FAILING_SHARE) : 0;
            line(out, series, "200", requests - failed);
            if (series.failing()) {
                line(out, series, "503", failed);
            }
        });
        return out.toString();
    }

    private static void line(StringBuilder out, Series series, String code, long value) {
        out.append("istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"")
                .append(series.namespace()).append("\",destination_workload=\"").append(series.workload())
                .append("\",destination_canonical_revision=\"").append(series.revision()).append("\",response_code=\"")
                .append(code).append("\"} ").append(value).append('\n');
    }

    /** The canary a Deployment runs, or null: primaries and targets at 0 replicas report nothing. */
    private Series canary(Deployment deployment) {
        String name = deployment.getMetadata().getName();
        Integer replicas = deployment.getSpec().getReplicas();
        var labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        String image = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        String revision = flagger ? image.substring(image.lastIndexOf(':') + 1)
                : labels == null ? null : labels.get(CANONICAL_REVISION_LABEL);
        if (name.endsWith("-primary") || replicas == null || replicas == 0 || revision == null) {
            return null;
        }
        return new Series(deployment.getMetadata().getNamespace(), name, revision, image.endsWith(":" + FAILING_TAG));
    }

    @Override
    public void close() {
        server.stop(0);
        deployments.close();
    }
}
