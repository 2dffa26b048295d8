package dev.ramp.testing;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An app's own request metrics, as a Prometheus client library exports them and a Prometheus that
 * copies pod labels onto series stores them: {@code http_requests_total{namespace, deployment,
 * ramp_dev_revision, code}}. Stands in for the pods behind a Service without a mesh: at each
 * scrape, {@value #PER_SCRAPE} requests to each Service a test names are spread over the ready
 * pods that Service selects now, as kube-proxy spreads them (a Deployment's ready replicas whose
 * template labels match the Service's live selector), and each pod answers with its image's
 * success rate (100 unless the test sets one). So a canary's requests follow its share of the
 * pods, and they stop the moment the Service no longer selects it.
 */
public class AppTelemetry implements AutoCloseable {

    private static final int PER_SCRAPE = 100;

    private record Series(String namespace, String deployment, String revision, int code) {
    }

    private final KubernetesClient client;
    private final ScrapeEndpoint server;
    private final Map<String, List<String>> services = new ConcurrentHashMap<>();
    private final Map<String, Double> successRates = new ConcurrentHashMap<>();
    private final Map<Series, Long> totals = new ConcurrentHashMap<>();

    public AppTelemetry(KubernetesClient client) throws IOException {
        this.client = client;
        server = new ScrapeEndpoint(this::scrape);
    }

    public String target() {
        return server.target();
    }

    /** From now on users call Service {@code namespace/service}. */
    public void call(String namespace, String service) {
        services.put(namespace + "/" + service, List.of(namespace, service));
    }

    /** Pods running {@code image} answer {@code successRate} percent of requests without a 5xx. */
    public void answer(String image, double successRate) {
        successRates.put(image, successRate);
    }

    /** Requests answered so far by pods of {@code revision} in {@code namespace}, with code {@code 5xx} when {@code failed}. */
    public long served(String namespace, String revision, boolean failed) {
        return totals.entrySet().stream().filter(e -> e.getKey().namespace().equals(namespace)
                && e.getKey().revision().equals(revision) && (e.getKey().code() >= 500) == failed).mapToLong(Map.Entry::getValue).sum();
    }

    private synchronized String scrape() {
        services.values().forEach(s -> spread(s.get(0), s.get(1)));
        StringBuilder out = new StringBuilder("# TYPE http_requests_total counter\n");
        totals.forEach((s, count) -> out.append("http_requests_total{namespace=\"").append(s.namespace())
                .append("\",deployment=\"").append(s.deployment()).append("\",ramp_dev_revision=\"").append(s.revision())
                .append("\",code=\"").append(s.code()).append("\"} ").append(count).append('\n'));
        return out.toString();
    }

    private void spread(String namespace, String name) {
        Service service;
        List<Deployment> deployments;
        try {
            service = client.services().inNamespace(namespace).withName(name).get();
            deployments = client.apps().deployments().inNamespace(namespace).list().getItems();
        } catch (RuntimeException e) {
            return;
        }
        if (service == null || service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty()) {
            return;
        }
        Map<String, String> selector = service.getSpec().getSelector();
        List<Deployment> selected = deployments.stream().filter(d -> {
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            return labels != null && labels.entrySet().containsAll(selector.entrySet()) && ready(d) > 0;
        }).toList();
        int pods = selected.stream().mapToInt(AppTelemetry::ready).sum();
        for (Deployment d : selected) {
            long requests = Math.round((double) PER_SCRAPE * ready(d) / pods);
            String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            long ok = Math.round(requests * successRates.getOrDefault(image, 100.0) / 100.0);
            String revision = d.getSpec().getTemplate().getMetadata().getLabels().getOrDefault("ramp.dev/revision", "none");
            totals.merge(new Series(namespace, d.getMetadata().getName(), revision, 200), ok, Long::sum);
            if (requests > ok) {
                totals.merge(new Series(namespace, d.getMetadata().getName(), revision, 500), requests - ok, Long::sum);
            }
        }
    }

    /** Pods of the Deployment that are ready now (at most its desired count). */
    private static int ready(Deployment d) {
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
        return Math.min(desired, ready);
    }

    @Override
    public void close() {
        server.close();
    }
}
