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

/** A real Prometheus (Debian's package) on loopback (in the cluster lab, on the node's address), scraping the lab's exporters every second. */
final class Prometheus implements AutoCloseable {

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");

    private final int port = Net.freePort();
    private final String host;
    private final ChildProcess process;

    /** Listens on {@code host}: loopback, or in the cluster lab the node's address, where Pods reach it. */
    Prometheus(Path dir, String host, List<String> targets) throws IOException {
        this.host = host;
        Path home = Files.createDirectories(dir.resolve("prometheus"));
        StringBuilder config = new StringBuilder("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: lab
                    static_configs: [{targets: [""");
        config.append(String.join(", ", targets.stream().map(t -> "\"" + t + "\"").toList())).append("]}]\n");
        Files.writeString(home.resolve("prometheus.yml"), config);
        String binary = Files.isExecutable(Path.of("/usr/bin/prometheus")) ? "/usr/bin/prometheus" : "prometheus";
        process = ChildProcess.start(dir, "prometheus", List.of(binary, "--config.file=" + home.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + home.resolve("data"), "--web.listen-address=" + host + ":" + port), Map.of());
        Net.await("Prometheus", Duration.ofSeconds(60), () -> Net.answers(address() + "/-/ready", 200));
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
