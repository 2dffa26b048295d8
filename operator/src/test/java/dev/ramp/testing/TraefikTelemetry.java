package dev.ramp.testing;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * An exporter of Traefik's service metrics as {@code --metrics.prometheus} writes them
 * (traefik_service_requests_total and traefik_service_request_duration_seconds, labels code,
 * method, protocol, service), for the backends a test names by their {@code service} label and
 * the requests it says they served. Counters only grow, as Traefik's do across releases.
 */
public class TraefikTelemetry implements AutoCloseable {

    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private record Series(String service, int code) {
    }

    private static final class Totals {
        long count;
        double sum;
        final long[] buckets = new long[BUCKETS.length];
    }

    private final ScrapeEndpoint server;
    private final Map<Series, Totals> totals = new TreeMap<>((a, b) -> (a.service + a.code).compareTo(b.service + b.code));

    public TraefikTelemetry() throws IOException {
        server = new ScrapeEndpoint(this::scrape);
    }

    /** Where Prometheus scrapes it. */
    public String target() {
        return server.target();
    }

    /** {@code requests} more requests to {@code service} answered {@code code}, each in {@code seconds}. */
    public synchronized void served(String service, int code, long requests, double seconds) {
        Totals t = totals.computeIfAbsent(new Series(service, code), s -> new Totals());
        t.count += requests;
        t.sum += requests * seconds;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                t.buckets[i] += requests;
            }
        }
    }

    private synchronized String scrape() {
        StringBuilder out = new StringBuilder("# TYPE traefik_service_requests_total counter\n");
        totals.forEach((s, t) -> out.append("traefik_service_requests_total{").append(labels(s)).append("} ").append(t.count).append('\n'));
        out.append("# TYPE traefik_service_request_duration_seconds histogram\n");
        totals.forEach((s, t) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                out.append("traefik_service_request_duration_seconds_bucket{").append(labels(s)).append(",le=\"").append(BUCKETS[i])
                        .append("\"} ").append(t.buckets[i]).append('\n');
            }
            out.append("traefik_service_request_duration_seconds_bucket{").append(labels(s)).append(",le=\"+Inf\"} ")
                    .append(t.count).append('\n');
            out.append("traefik_service_request_duration_seconds_sum{").append(labels(s)).append("} ").append(t.sum).append('\n');
            out.append("traefik_service_request_duration_seconds_count{").append(labels(s)).append("} ").append(t.count).append('\n');
        });
        return out.toString();
    }

    private static String labels(Series s) {
        return "code=\"" + s.code + "\",method=\"GET\",protocol=\"http\",service=\"" + s.service + "\"";
    }

    @Override
    public void close() {
        server.close();
    }
}
