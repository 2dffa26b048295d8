package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.testing.LoopbackEgress;
import dev.ramp.testing.MovingClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batched queries against a Prometheus stand-in on 127.0.0.1 that counts what it is asked: checks
 * asking while a batch is in flight wait for it and send nothing; its answer, or its error,
 * reaches each of them; an answer serves checks due at most {@code maxAge} after it was asked,
 * on a clock the test moves.
 */
class QueryBatchesTest {

    private static final Instant T0 = Instant.parse("2026-12-04T03:00:00Z");
    private static final String QUERY = "sum by (service) (up)";
    private static final List<String> LABELS = List.of("service");

    private HttpServer prometheus;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    /** Counted down when the first query arrives. */
    private final CountDownLatch received = new CountDownLatch(1);
    /** Until counted down, the stand-in holds its answers. */
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private volatile int status = 200;
    private final MovingClock clock = new MovingClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private QueryBatches batches;
    private MetricsProvider provider;

    @BeforeEach
    void prometheusOnLoopback() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        prometheus.createContext("/api/v1/query", exchange -> {
            queries.add(URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring("query=".length()), StandardCharsets.UTF_8));
            received.countDown();
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String body = status == 200
                    ? "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                            + "{\"metric\":{\"service\":\"a\"},\"value\":[1,\"1\"]},{\"metric\":{\"service\":\"b\"},\"value\":[1,\"2\"]},"
                            + "{\"metric\":{\"service\":\"c\"},\"value\":[1,\"NaN\"]}]}}"
                    : "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"overloaded\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        prometheus.start();
        provider = new PrometheusProvider("http://127.0.0.1:" + prometheus.getAddress().getPort(), null, Duration.ofSeconds(20),
                LoopbackEgress.policy(), "ramp.prometheus.address");
        batches = new QueryBatches(Duration.ofSeconds(1), clock, new AnalysisMetrics(registry));
    }

    @AfterEach
    void stop() {
        hold.countDown();
        prometheus.stop(0);
    }

    @Test
    void aCheckAskingWhileTheBatchIsInFlightWaitsForItAndSendsNothing() throws Exception {
        hold = new CountDownLatch(1);
        FutureTask<BatchAnswer> first = asking(T0);
        FutureTask<BatchAnswer> second = asking(T0);
        Thread one = new Thread(first);
        one.start();
        assertThat(received.await(20, TimeUnit.SECONDS)).isTrue();
        Thread two = new Thread(second);
        two.start();
        // The second check is parked on the first one's query, not sending its own.
        await().atMost(Duration.ofSeconds(20)).until(() -> two.getState() == Thread.State.WAITING);

        hold.countDown();

        BatchAnswer a = first.get(20, TimeUnit.SECONDS);
        BatchAnswer b = second.get(20, TimeUnit.SECONDS);
        assertThat(queries).containsExactly(QUERY);
        assertThat(b).isSameAs(a);
        // A series that is not a number is no data, as a check's own query answering NaN.
        assertThat(a.values()).isEqualTo(Map.of(List.of("a"), 1.0, List.of("b"), 2.0));
        assertThat(registry.counter(AnalysisMetrics.QUERIES, "kind", AnalysisMetrics.BATCHED).count()).isEqualTo(1.0);
    }

    @Test
    void anUnavailablePrometheusReachesEveryCheckThatWaitedAsItsOwnQueryWould() throws Exception {
        hold = new CountDownLatch(1);
        status = 503;
        FutureTask<BatchAnswer> first = asking(T0);
        FutureTask<BatchAnswer> second = asking(T0);
        new Thread(first).start();
        assertThat(received.await(20, TimeUnit.SECONDS)).isTrue();
        Thread two = new Thread(second);
        two.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> two.getState() == Thread.State.WAITING);

        hold.countDown();

        for (FutureTask<BatchAnswer> check : List.of(first, second)) {
            assertThatThrownBy(() -> check.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(MetricQueryException.class, e -> {
                        assertThat(e.kind()).isEqualTo(MetricQueryException.Kind.UNAVAILABLE);
                        assertThat(e.getMessage()).isEqualTo("Prometheus rejected the query: unavailable: overloaded");
                    });
        }
        assertThat(queries).hasSize(1);
    }

    @Test
    void anAnswerServesChecksDueAtMostMaxAgeAfterItWasAsked() throws Exception {
        BatchAnswer first = batches.answer(provider, QUERY, LABELS, T0, Optional.empty());
        assertThat(first.at()).isEqualTo(T0);

        clock.advance(Duration.ofSeconds(1));
        assertThat(batches.answer(provider, QUERY, LABELS, clock.instant(), Optional.empty())).isSameAs(first);
        assertThat(queries).hasSize(1);

        clock.advance(Duration.ofMillis(1));
        BatchAnswer second = batches.answer(provider, QUERY, LABELS, clock.instant(), Optional.empty());
        assertThat(second.at()).isEqualTo(T0.plusMillis(1001));
        assertThat(queries).hasSize(2);

        // A check due before the last answer was asked (it ran late) reads that newer answer.
        assertThat(batches.answer(provider, QUERY, LABELS, T0.plusMillis(500), Optional.empty())).isSameAs(second);
        // Another window is another query.
        batches.answer(provider, "sum by (service) (up offset 1m)", LABELS, clock.instant(), Optional.empty());
        assertThat(queries).hasSize(3);
    }

    @Test
    void aCheckNeverReadsTheAnswerItsCanarysPreviousCheckRead() throws Exception {
        BatchAnswer read = batches.answer(provider, QUERY, LABELS, T0, Optional.empty());
        // The check was recorded 50 ms later; the next one, at the evidence pace of a failing canary, is due 0.5 s after.
        Instant recorded = T0.plusMillis(50);
        clock.advance(Duration.ofMillis(500));

        BatchAnswer next = batches.answer(provider, QUERY, LABELS, clock.instant(), Optional.of(recorded));

        assertThat(next).isNotSameAs(read);
        assertThat(queries).hasSize(2);
        // Another canary, whose previous check was long ago, reads that newer answer.
        assertThat(batches.answer(provider, QUERY, LABELS, clock.instant(), Optional.of(T0.minusSeconds(10)))).isSameAs(next);
        assertThat(queries).hasSize(2);
    }

    @Test
    void aFailedBatchIsAskedAgainByTheNextCheckDueAfterMaxAge() throws Exception {
        status = 503;
        assertThatThrownBy(() -> batches.answer(provider, QUERY, LABELS, T0, Optional.empty())).isInstanceOf(MetricQueryException.class);
        status = 200;
        clock.advance(Duration.ofMillis(1001));

        assertThat(batches.answer(provider, QUERY, LABELS, clock.instant(), Optional.empty()).values()).hasSize(2);
        assertThat(queries).hasSize(2);
    }

    @Test
    void aMaxAgeOfZeroBatchesNothingAndANegativeOneIsRefused() {
        assertThat(new QueryBatches(Duration.ZERO, clock, new AnalysisMetrics(registry)).enabled()).isFalse();
        assertThatThrownBy(() -> new QueryBatches(Duration.ofSeconds(-1), clock, new AnalysisMetrics(registry)))
                .hasMessage("ramp.analysis.batch-max-age must not be negative, was PT-1S");
    }

    private FutureTask<BatchAnswer> asking(Instant due) {
        return new FutureTask<>(() -> batches.answer(provider, QUERY, LABELS, due, Optional.empty()));
    }
}
