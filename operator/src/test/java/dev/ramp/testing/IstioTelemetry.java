package dev.ramp.testing;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exporter of Istio's standard request metrics (istio_requests_total and the histogram
 * istio_request_duration_milliseconds, reporter="destination"), for workloads whose
 * success rate and latency a test sets. As a sidecar does, each series carries the pods'
 * canonical revision ({@code destination_canonical_revision}), read from the Deployment's pod
 * template label {@code service.istio.io/canonical-revision} ("latest" without it). While the
 * Deployment has replicas, its counters grow by 100 requests per scrape; a revision's counters
 * start at zero, as a new pod's do. A workload with no traffic set exports nothing. Latencies are
 * all the one set, or, with {@link #serveVaried}, drawn per request around a median (log-normal,
 * from a seeded generator), so that each scrape's p99 and mean vary as a real service's do.
 */
public class IstioTelemetry implements AutoCloseable {

    private static final int[] BUCKETS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
    private final java.util.Random random = new java.util.Random(22);
    private static final int PER_SCRAPE = 100;
    private static final String FOLLOW = "";

    private record Traffic(double successRate, int latencyMs, double spread) {
    }

    private record Series(String namespace, String workload, String revision) {
    }

    private static final class Totals {
        long ok;
        long failed;
        /** Requests per bucket (not cumulative), the last one above every bound. */
        final long[] buckets = new long[BUCKETS.length + 1];
        /** The latencies summed, in milliseconds: the histogram's _sum. */
        double sum;
    }

    private final KubernetesClient client;
    private final ScrapeEndpoint server;
    private final Map<Series, Traffic> traffic = new ConcurrentHashMap<>();
    private final Map<Series, Totals> totals = new ConcurrentHashMap<>();

    public IstioTelemetry(KubernetesClient client) throws IOException {
        this.client = client;
        server = new ScrapeEndpoint(this::scrape);
    }

    public String target() {
        return server.target();
    }

    /**
     * From now on the workload's pods, whatever revision the Deployment runs, answer
     * {@code successRate} percent of requests without a 5xx, in latencyMs.
     */
    public void serve(String namespace, String workload, double successRate, int latencyMs) {
        traffic.put(new Series(namespace, workload, FOLLOW), new Traffic(successRate, latencyMs, 0));
    }

    /**
     * As {@link #serve}, but each request's latency is drawn around {@code medianMs}: the median
     * times {@code exp(spread * z)}, z standard normal (spread 0.25: the p99 is about 1.8 times the median).
     */
    public void serveVaried(String namespace, String workload, double successRate, int medianMs, double spread) {
        traffic.put(new Series(namespace, workload, FOLLOW), new Traffic(successRate, medianMs, spread));
    }

    /** From now on the workload's pods answer no requests (its past series stay, no longer growing). */
    public void silence(String namespace, String workload) {
        traffic.keySet().removeIf(series -> series.namespace().equals(namespace) && series.workload().equals(workload));
    }

    /**
     * Pods of {@code revision} of the workload keep serving, whatever the Deployment runs now:
     * e.g. the previous version's pods, still reporting under the same workload name.
     */
    public void serveRevision(String namespace, String workload, String revision, double successRate, int latencyMs) {
        traffic.put(new Series(namespace, workload, revision), new Traffic(successRate, latencyMs, 0));
    }

    private synchronized String scrape() {
        traffic.forEach((key, t) -> {
            Series series = key.revision().equals(FOLLOW) ? running(key) : key;
            if (series == null) {
                return;
            }
            Totals total = totals.computeIfAbsent(series, k -> new Totals());
            long ok = Math.round(PER_SCRAPE * t.successRate() / 100.0);
            total.ok += ok;
            total.failed += PER_SCRAPE - ok;
            for (int i = 0; i < PER_SCRAPE; i++) {
                double latency = t.latencyMs() * Math.exp(t.spread() * random.nextGaussian());
                int bucket = 0;
                while (bucket < BUCKETS.length && latency > BUCKETS[bucket]) {
                    bucket++;
                }
                total.buckets[bucket]++;
                total.sum += latency;
            }
        });
        StringBuilder out = new StringBuilder();
        totals.forEach((series, total) -> {
            String labels = "reporter=\"destination\",destination_workload_namespace=\"" + series.namespace()
                    + "\",destination_workload=\"" + series.workload() + "\",destination_canonical_revision=\""
                    + series.revision() + "\"";
            out.append("istio_requests_total{").append(labels).append(",response_code=\"200\"} ").append(total.ok).append('\n');
            if (total.failed > 0) {
                // As a sidecar does: the 5xx series appears with the first error.
                out.append("istio_requests_total{").append(labels).append(",response_code=\"500\"} ").append(total.failed).append('\n');
            }
            long count = total.ok + total.failed;
            long cumulative = 0;
            for (int b = 0; b < BUCKETS.length; b++) {
                cumulative += total.buckets[b];
                out.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"").append(BUCKETS[b])
                        .append("\"} ").append(cumulative).append('\n');
            }
            out.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"+Inf\"} ")
                    .append(count).append('\n');
            out.append("istio_request_duration_milliseconds_sum{").append(labels).append("} ").append(total.sum).append('\n');
            out.append("istio_request_duration_milliseconds_count{").append(labels).append("} ").append(count).append('\n');
        });
        return out.toString();
    }

    /** The series of the pods the Deployment runs now, or null when it has none. */
    private Series running(Series followed) {
        Deployment deployment;
        try {
            deployment = client.apps().deployments().inNamespace(followed.namespace()).withName(followed.workload()).get();
        } catch (RuntimeException e) {
            return null;
        }
        if (deployment == null || deployment.getSpec().getReplicas() == null || deployment.getSpec().getReplicas() == 0) {
            return null;
        }
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        String revision = labels == null ? null : labels.get("service.istio.io/canonical-revision");
        return new Series(followed.namespace(), followed.workload(), revision == null ? "latest" : revision);
    }

    @Override
    public void close() {
        server.close();
    }
}
