package dev.ramp.lab;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Prometheus (Debian's package) on loopback (in the cluster lab, on the node's address),
 * scraping the lab's exporters every second; in the cluster lab also the Pods that ask for it, as
 * a cluster's Prometheus does ({@link #POD_JOB}).
 */
final class Prometheus implements AutoCloseable {

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");

    private final int port = Net.freePort();
    private final String host;
    private final ChildProcess process;
    private final Path podTargets;

    /**
     * The scrape job for Pods: those annotated {@code prometheus.io/scrape: "true"}, at their IP and
     * the port {@code prometheus.io/port}, as the kubernetes-pods job of Prometheus' example
     * configuration does. Each Pod's labels become its series' labels ({@code ramp.dev/revision} as
     * {@code ramp_dev_revision}), with {@code namespace} and {@code pod}: what a canary without a
     * mesh is judged on (docs/no-mesh.md, "Metrics"). A cluster's Prometheus finds the Pods with
     * {@code kubernetes_sd_configs: [{role: pod}]}; Debian's is built without it, so {@link PodTargets}
     * writes the same {@code __meta_kubernetes_*} labels into a file, and the relabelling below is
     * the one a cluster runs. Prometheus runs in the lab's network namespace, where Pod IPs are
     * routed to the node's bridge.
     */
    static final String POD_JOB = """
              - job_name: pods
                file_sd_configs: [{files: ["%s"], refresh_interval: 5s}]
                relabel_configs:
                  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], regex: "true", action: keep}
                  - {source_labels: [__meta_kubernetes_pod_phase], regex: "Pending|Succeeded|Failed", action: drop}
                  - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
                    regex: '([^:]+)(?::\\d+)?;(\\d+)'
                    replacement: '$1:$2'
                    target_label: __address__
                  - {action: labelmap, regex: "__meta_kubernetes_pod_label_(.+)"}
                  - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
                  - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
            """;

    /**
     * Listens on {@code host}: loopback, or in the cluster lab the node's address, where Pods reach
     * it; with {@code pods}, also scrapes the Pods that ask for it ({@link #POD_JOB}), found in
     * {@link #podTargets()} (the cluster lab; the kwok lab's Pods are processes in the lab's JVM).
     */
    Prometheus(Path dir, String host, List<String> targets, boolean pods) throws IOException {
        this.host = host;
        Path home = Files.createDirectories(dir.resolve("prometheus"));
        StringBuilder config = new StringBuilder("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: lab
                    static_configs: [{targets: [""");
        config.append(String.join(", ", targets.stream().map(t -> "\"" + t + "\"").toList())).append("]}]\n");
        this.podTargets = home.resolve("pods.json");
        if (pods) {
            config.append(POD_JOB.formatted(podTargets));
        }
        Files.writeString(home.resolve("prometheus.yml"), config);
        String binary = Files.isExecutable(Path.of("/usr/bin/prometheus")) ? "/usr/bin/prometheus" : "prometheus";
        process = ChildProcess.start(dir, "prometheus", List.of(binary, "--config.file=" + home.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + home.resolve("data"), "--web.listen-address=" + host + ":" + port), Map.of());
        Net.await("Prometheus", Duration.ofSeconds(60), () -> Net.answers(address() + "/-/ready", 200));
    }

    /** The file of Pod targets the pod job reads ({@link PodTargets} writes it). */
    Path podTargets() {
        return podTargets;
    }

    String address() {
        return "http://" + host + ":" + port;
    }

    /** The value of a query returning one sample, or null when it returns none. */
    Double query(String promql) {
        try {
            Matcher m = VALUE.matcher(answer(promql));
            return m.find() ? Double.valueOf(m.group(1)) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Each series a query returns, as the value of its label {@code label} (series without it left
     * out) and its sample's value; empty when none or when Prometheus cannot be asked.
     */
    Map<String, Double> byLabel(String promql, String label) {
        Pattern series = Pattern.compile("\\{\"metric\":\\{([^}]*)\\},\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]\\}");
        Pattern value = Pattern.compile("\"" + Pattern.quote(label) + "\":\"([^\"]*)\"");
        Map<String, Double> values = new java.util.TreeMap<>();
        try {
            Matcher m = series.matcher(answer(promql));
            while (m.find()) {
                Matcher v = value.matcher(m.group(1));
                if (v.find()) {
                    values.put(v.group(1), Double.valueOf(m.group(2)));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return values;
    }

    /** Prometheus' own metrics ({@code /metrics}), e.g. the queries it has answered. */
    String selfMetrics() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(address() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String answer(String promql) throws IOException, InterruptedException {
        URI uri = URI.create(address() + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        process.close();
    }
}
