package dev.ramp.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real Prometheus (Debian's package) on a loopback port, scraping one target every second.
 * Stopping it is how tests make Prometheus unreachable.
 */
public class TestPrometheus implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final String scrapeTarget;
    private Process process;

    public TestPrometheus(String scrapeTarget) throws IOException {
        this.scrapeTarget = scrapeTarget;
        this.dir = Files.createTempDirectory("ramp-prometheus");
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: istio
                    static_configs: [{targets: ["%s"]}]
                """.formatted(scrapeTarget));
        start();
    }

    public String address() {
        return "http://127.0.0.1:" + port;
    }

    /** Whether an instant query returns at least one sample now. */
    public boolean hasData(String promql) {
        try {
            var uri = URI.create(address() + "/api/v1/query?query="
                    + java.net.URLEncoder.encode(promql, java.nio.charset.StandardCharsets.UTF_8));
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return body.contains("\"value\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until Prometheus has scraped the telemetry exporter twice, so a release's first checks
     * find Prometheus answering (a release's own data starts with its pods).
     */
    public void awaitScrapes() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> hasData("count_over_time(up[10s]) >= 2"));
    }

    public final void start() throws IOException {
        String binary = Files.isExecutable(Path.of("/usr/bin/prometheus")) ? "/usr/bin/prometheus" : "prometheus";
        process = new ProcessBuilder(binary, "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create(address() + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("Prometheus did not become ready; see " + dir.resolve("prometheus.log"));
    }

    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
