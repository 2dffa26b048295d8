package dev.ramp.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exporter of Istio's standard request metrics (istio_requests_total and
 * istio_request_duration_milliseconds_bucket, reporter="destination"), for workloads whose
 * success rate and latency a test sets. Counters grow by 10 requests per scrape, as a sidecar's
 * would under steady load; a workload with no traffic set exports nothing.
 */
public class IstioTelemetry implements AutoCloseable {

    private static final int[] BUCKETS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};

    private record Traffic(double successRate, int latencyMs) {
    }

    private static final class Totals {
        long ok;
        long failed;
    }

    private final HttpServer server;
    private final Map<String, Traffic> traffic = new ConcurrentHashMap<>();
    private final Map<String, Totals> totals = new ConcurrentHashMap<>();

    public IstioTelemetry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on the workload answers {@code successRate} percent of requests without a 5xx, in latencyMs. */
    public void serve(String namespace, String workload, double successRate, int latencyMs) {
        traffic.put(namespace + "/" + workload, new Traffic(successRate, latencyMs));
    }

    private synchronized String scrape() {
        StringBuilder out = new StringBuilder();
        traffic.forEach((key, t) -> {
            String[] parts = key.split("/");
            Totals total = totals.computeIfAbsent(key, k -> new Totals());
            long ok = Math.round(10 * t.successRate() / 100.0);
            total.ok += ok;
            total.failed += 10 - ok;
            String labels = "reporter=\"destination\",destination_workload_namespace=\"" + parts[0]
                    + "\",destination_workload=\"" + parts[1] + "\"";
            out.append("istio_requests_total{").append(labels).append(",response_code=\"200\"} ").append(total.ok).append('\n');
            out.append("istio_requests_total{").append(labels).append(",response_code=\"500\"} ").append(total.failed).append('\n');
            long count = total.ok + total.failed;
            for (int bucket : BUCKETS) {
                out.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"").append(bucket)
                        .append("\"} ").append(t.latencyMs() <= bucket ? count : 0).append('\n');
            }
            out.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"+Inf\"} ")
                    .append(count).append('\n');
        });
        return out.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
