package dev.ramp.lab;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Users of the demo: requests at a steady rate through the mesh to one service, each remembered
 * with when it was sent, its status and the version that answered it, so a release's effect on
 * users can be counted afterwards.
 */
public final class LoadGenerator implements AutoCloseable {

    /** One request as its user saw it; {@code version} is null when no pod answered. */
    public record Result(Instant sent, int status, String version) {

        public boolean failed() {
            return status >= 500 || status == 0;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> PodRunner.daemon(r, "loadgen"));
    private final URI uri;
    private final AtomicInteger left;

    /** Sends {@code perSecond} requests a second for {@code service.namespace} to the proxy at {@code proxy}. */
    LoadGenerator(String proxy, String service, String namespace, int perSecond) {
        this(proxy, service, namespace, perSecond, java.util.Map.of());
    }

    /** The same, each request also carrying {@code headers}. */
    LoadGenerator(String proxy, String service, String namespace, int perSecond, java.util.Map<String, String> headers) {
        this(proxy, service, namespace, perSecond, headers, Integer.MAX_VALUE);
    }

    /**
     * The same, stopping by itself after {@code requests} requests; {@link #results} holds them all
     * once each is answered or has failed (within the request timeout, 10 s, of the last).
     */
    LoadGenerator(String proxy, String service, String namespace, int perSecond, java.util.Map<String, String> headers,
            int requests) {
        this(proxy, "/", service, namespace, perSecond, headers, requests);
    }

    /**
     * The same, for {@code path} (with its query) instead of {@code /}: e.g. {@code /?cpu_ms=20},
     * with which each request keeps a CPU of the demo's Pod busy for 20 ms (e2e/images/demo).
     */
    LoadGenerator(String proxy, String path, String service, String namespace, int perSecond,
            java.util.Map<String, String> headers, int requests) {
        this.uri = URI.create("http://" + proxy + path);
        this.left = new AtomicInteger(requests);
        String host = service + "." + namespace;
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).header("Host", host).timeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        HttpRequest request = builder.GET().build();
        ticker.scheduleAtFixedRate(() -> send(request), 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
    }

    private void send(HttpRequest request) {
        if (left.getAndDecrement() <= 0) {
            ticker.shutdown();
            return;
        }
        Instant sent = Instant.now();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> results.add(
                error != null ? new Result(sent, 0, null)
                        : new Result(sent, response.statusCode(), response.headers().firstValue("X-Version").orElse(null))));
    }

    public List<Result> results() {
        return results.stream().sorted(java.util.Comparator.comparing(Result::sent)).toList();
    }

    public List<Result> since(Instant from) {
        return results().stream().filter(r -> !r.sent().isBefore(from)).toList();
    }

    public long count(Instant from, Predicate<Result> which) {
        return since(from).stream().filter(which).count();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
