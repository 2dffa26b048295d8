package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A baseline and a canary side by side for the judge's benchmark ({@link JudgeBenchmark}): two
 * {@link DemoService}s on loopback, the old version's behaviour and the new one's, each sent the
 * same steady rate of requests, every request recorded as the destination's sidecar would report
 * it ({@link MeshTelemetry}: its status and the time from sending it to its answer, so the
 * machine's own noise is in it). The baseline is the workload {@code <name>-primary} at the
 * promoted revision {@value #PROMOTED}, as Ramp's built-in queries read the primary; the canary is
 * the workload {@code <name>} at the release's revision, a new one per release
 * ({@link #release(String)}), so that each release's counters start from nothing.
 */
final class ReleasePair implements AutoCloseable {

    static final String NAMESPACE = "judge";
    static final String PROMOTED = "base";

    private final String name;
    private final MeshTelemetry telemetry;
    private final HttpClient http;
    private final DemoService baseline;
    private final DemoService canary;
    private final ScheduledFuture<?> baselineLoad;
    private final ScheduledFuture<?> canaryLoad;
    private final Pod baselinePod;
    private volatile Pod canaryPod;

    /**
     * Serves {@code old} as the baseline and {@code next} as the canary, each answering on a pool of
     * {@code workers}, and sends each {@code perSecond} requests a second from {@code ticker}.
     */
    ReleasePair(String name, DemoService.Behaviour old, DemoService.Behaviour next, int perSecond, MeshTelemetry telemetry,
            HttpClient http, Executor workers, ScheduledExecutorService ticker) throws IOException {
        this.name = name;
        this.telemetry = telemetry;
        this.http = http;
        this.baselinePod = pod(name + "-primary", PROMOTED);
        this.canaryPod = pod(name, "none");
        this.baseline = new DemoService(name + "-primary", "127.0.0.1", old, workers);
        this.canary = new DemoService(name, "127.0.0.1", next, workers);
        long period = 1_000_000 / perSecond;
        this.baselineLoad = ticker.scheduleAtFixedRate(() -> send(old.port(), () -> baselinePod), 0, period, TimeUnit.MICROSECONDS);
        this.canaryLoad = ticker.scheduleAtFixedRate(() -> send(next.port(), () -> canaryPod), period / 2, period,
                TimeUnit.MICROSECONDS);
    }

    /** The Rollout's target and the canary's workload. */
    String name() {
        return name;
    }

    /** From now on the canary's requests are counted under {@code revision}, a release's new pods. */
    void release(String revision) {
        canaryPod = pod(name, revision);
    }

    private void send(int port, java.util.function.Supplier<Pod> side) {
        Pod pod = side.get();
        long sent = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(10))
                .GET().build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> telemetry.record(pod,
                name, error != null ? 503 : response.statusCode(), (System.nanoTime() - sent) / 1e6));
    }

    /** A Pod of {@code workload} as the telemetry reads it: no owner (its name is the workload) and Istio's revision label. */
    private static Pod pod(String workload, String revision) {
        return new PodBuilder().withNewMetadata().withName(workload).withNamespace(NAMESPACE)
                .addToLabels(MeshTelemetry.CANONICAL_REVISION_LABEL, revision).endMetadata().build();
    }

    @Override
    public void close() {
        baselineLoad.cancel(false);
        canaryLoad.cancel(false);
        baseline.close();
        canary.close();
    }
}
