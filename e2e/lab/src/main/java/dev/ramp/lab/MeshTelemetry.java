package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Istio's standard request metrics as the destination sidecar reports them
 * ({@code reporter="destination"}): {@code istio_requests_total} by response code and
 * {@code istio_request_duration_milliseconds} as a histogram, per destination workload and its
 * canonical revision. As Istio does, {@code destination_canonical_revision} is the destination
 * Pod's {@code service.istio.io/canonical-revision} label, or {@code latest} without one. These
 * are the series Ramp's built-in request-success-rate and request-duration query.
 */
final class MeshTelemetry {

    /** Istio's default buckets, in milliseconds. */
    private static final double[] BUCKETS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
            60000, 300000, 600000, 1800000, 3600000};

    /** The Pod label Istio reads a workload's revision from (set by its injector in a real mesh). */
    static final String CANONICAL_REVISION_LABEL = "service.istio.io/canonical-revision";

    private record Key(String namespace, String workload, String revision, String service) {
    }

    private static final Comparator<Key> ORDER = Comparator.comparing(Key::namespace).thenComparing(Key::workload)
            .thenComparing(Key::revision).thenComparing(Key::service);

    private final Map<Key, Map<Integer, Long>> requests = new TreeMap<>(ORDER);
    private final Map<Key, AtomicLongArray> histograms = new TreeMap<>(ORDER);
    private final Map<Key, double[]> sums = new TreeMap<>(ORDER);

    /** Counts one request the destination {@code pod} of {@code service} answered. */
    synchronized void record(Pod pod, String service, int code, double millis) {
        Key key = new Key(pod.getMetadata().getNamespace(), PodRunner.workload(pod), canonicalRevision(pod), service);
        requests.computeIfAbsent(key, k -> new TreeMap<>()).merge(code, 1L, Long::sum);
        AtomicLongArray counts = histograms.computeIfAbsent(key, k -> new AtomicLongArray(BUCKETS.length + 1));
        for (int i = 0; i < BUCKETS.length; i++) {
            if (millis <= BUCKETS[i]) {
                counts.incrementAndGet(i);
            }
        }
        counts.incrementAndGet(BUCKETS.length);
        sums.computeIfAbsent(key, k -> new double[1])[0] += millis;
    }

    /** The exposition text Prometheus scrapes. */
    synchronized String scrape() {
        StringBuilder out = new StringBuilder();
        out.append("# TYPE istio_requests_total counter\n");
        requests.forEach((key, codes) -> codes.forEach((code, n) -> out.append("istio_requests_total{")
                .append(labels(key)).append(",response_code=\"").append(code).append("\"} ").append(n).append('\n')));
        out.append("# TYPE istio_request_duration_milliseconds histogram\n");
        histograms.forEach((key, counts) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                out.append("istio_request_duration_milliseconds_bucket{").append(labels(key)).append(",le=\"")
                        .append(BUCKETS[i]).append("\"} ").append(counts.get(i)).append('\n');
            }
            long total = counts.get(BUCKETS.length);
            out.append("istio_request_duration_milliseconds_bucket{").append(labels(key)).append(",le=\"+Inf\"} ")
                    .append(total).append('\n');
            out.append("istio_request_duration_milliseconds_sum{").append(labels(key)).append("} ")
                    .append(sums.get(key)[0]).append('\n');
            out.append("istio_request_duration_milliseconds_count{").append(labels(key)).append("} ").append(total)
                    .append('\n');
        });
        return out.toString();
    }

    /** As Istio's stats filter: {@code latest} without the label, {@code unknown} if it is empty. */
    private static String canonicalRevision(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        String revision = labels == null ? null : labels.get(CANONICAL_REVISION_LABEL);
        if (revision == null) {
            return "latest";
        }
        return revision.isEmpty() ? "unknown" : revision;
    }

    private static String labels(Key key) {
        return "reporter=\"destination\",source_workload=\"loadgen\",destination_workload=\"" + key.workload()
                + "\",destination_workload_namespace=\"" + key.namespace() + "\",destination_canonical_revision=\""
                + key.revision() + "\",destination_service_name=\"" + key.service()
                + "\",destination_service_namespace=\"" + key.namespace() + "\"";
    }
}
