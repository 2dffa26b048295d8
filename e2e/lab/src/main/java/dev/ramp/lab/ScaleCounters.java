package dev.ramp.lab;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The counters the scale benchmark reads before and after a release: the API server's requests and Prometheus's queries. */
final class ScaleCounters {

    private ScaleCounters() {
    }

    /**
     * The API server's request counters ({@code apiserver_request_total}) by verb (keys
     * {@code verb:<VERB>}), and under {@code operator-writes} the writes to what only the operator
     * (Ramp or Flagger, one at a time) writes or the benchmark's own target edits: Rollouts or
     * Canaries and their status, Services, VirtualServices, DestinationRules, and Deployments' specs
     * (the Deployment controller writes only their status).
     */
    static Map<String, Double> apiRequests(KubernetesClient client) {
        Map<String, Double> counts = new LinkedHashMap<>();
        for (String line : client.raw("/metrics").lines().filter(l -> l.startsWith("apiserver_request_total{")).toList()) {
            String verb = label(line, "verb");
            String resource = label(line, "resource");
            String subresource = label(line, "subresource");
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            counts.merge("verb:" + verb, value, Double::sum);
            boolean write = List.of("POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE").contains(verb);
            boolean operatorOwned = List.of("rollouts", "canaries", "services", "virtualservices", "destinationrules")
                    .contains(resource) || "deployments".equals(resource) && subresource.isEmpty();
            if (write && operatorOwned) {
                counts.merge("operator-writes", value, Double::sum);
            }
            if (write) {
                counts.merge("write:" + verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource), value,
                        Double::sum);
            }
        }
        return counts;
    }

    private static String label(String line, String name) {
        int at = line.indexOf(name + "=\"");
        if (at < 0) {
            return "";
        }
        int from = at + name.length() + 2;
        return line.substring(from, line.indexOf('"', from));
    }

    /** Instant and range queries Prometheus has answered so far. */
    static double promqlQueries(Prometheus prometheus) throws IOException, InterruptedException {
        return prometheus.selfMetrics().lines().filter(l -> l.startsWith("prometheus_http_requests_total{"))
                .filter(l -> l.contains("handler=\"/api/v1/query\"") || l.contains("handler=\"/api/v1/query_range\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
