package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ramp.testing.HostileServer;
import dev.ramp.testing.LoopbackEgress;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A metrics provider that trickles or floods its answer costs a check its timeout and a few MiB, no more. */
class PrometheusProviderTest {

    private final HostileServer peer;

    PrometheusProviderTest() throws IOException {
        peer = new HostileServer();
    }

    @AfterEach
    void stop() {
        peer.close();
    }

    private MetricQueryException refusal(String path, Duration timeout) {
        return refusal(path, timeout, false);
    }

    /** The query's refusal; with {@code range}, of a range query (the judge's), which goes through the same exchange. */
    private MetricQueryException refusal(String path, Duration timeout, boolean range) {
        // The path stands for the server's address: the provider appends /api/v1/query?query=… to it.
        PrometheusProvider provider = new PrometheusProvider(peer.url(path) + "/x", null, timeout, LoopbackEgress.policy(),
                "MetricTemplate team-a/hostile spec.provider.address");
        return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                if (range) {
                    Instant now = Instant.now();
                    provider.queryRange("up", now.minusSeconds(60), now, Duration.ofSeconds(1));
                } else {
                    provider.query("up");
                }
            } catch (MetricQueryException e) {
                return e;
            }
            throw new AssertionError("the query did not fail");
        });
    }

    @Test
    void aProviderThatTricklesItsAnswerTimesOutAtItsDeadline() {
        long start = System.nanoTime();
        MetricQueryException refused = refusal("/trickle/200", Duration.ofSeconds(1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(refused.kind()).isEqualTo(MetricQueryException.Kind.UNAVAILABLE);
        assertThat(refused.getMessage()).isEqualTo("Prometheus at " + peer.url("/trickle/200/x") + " timed out after 1000ms");
        assertThat(took).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
    }

    @Test
    void anAnswerLargerThanTheLimitIsRefusedUnread() {
        MetricQueryException refused = refusal("/huge/200", Duration.ofSeconds(10));

        assertThat(refused.kind()).isEqualTo(MetricQueryException.Kind.REJECTED);
        assertThat(refused.getMessage()).isEqualTo("Prometheus at " + peer.url("/huge/200/x")
                + " answered HTTP 200 with more than 4 MiB; Ramp reads no more (the query must return one number)");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
        assertThat(peer.bodyBytes()).isLessThan(PrometheusProvider.MAX_ANSWER_BYTES + 16L * 1024 * 1024);
    }

    @Test
    void aRangeQueryIsBoundedAsAnInstantQueryIs() {
        MetricQueryException slow = refusal("/trickle/200", Duration.ofSeconds(1), true);
        MetricQueryException huge = refusal("/huge/200", Duration.ofSeconds(10), true);

        assertThat(slow.getMessage()).isEqualTo("Prometheus at " + peer.url("/trickle/200/x") + " timed out after 1000ms");
        assertThat(huge.kind()).isEqualTo(MetricQueryException.Kind.REJECTED);
        assertThat(huge.getMessage()).isEqualTo("Prometheus at " + peer.url("/huge/200/x")
                + " answered HTTP 200 with more than 4 MiB; Ramp reads no more (the query must return one series)");
    }

    @Test
    void aBatchedQueryReadsTwiceAsMuchAsAnInstantQueryAndNoMore() {
        PrometheusProvider provider = new PrometheusProvider(peer.url("/huge/200") + "/x", null, Duration.ofSeconds(10),
                LoopbackEgress.policy(), "ramp.prometheus.address");

        MetricQueryException refused = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                provider.queryVector("sum by (service) (up)", java.util.List.of("service"));
            } catch (MetricQueryException e) {
                return e;
            }
            throw new AssertionError("the query did not fail");
        });

        assertThat(refused.kind()).isEqualTo(MetricQueryException.Kind.REJECTED);
        assertThat(refused.getMessage()).isEqualTo("Prometheus at " + peer.url("/huge/200/x") + " answered HTTP 200 with more"
                + " than 8 MiB; Ramp reads no more (the query must return one series per workload and revision)");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
        assertThat(peer.bodyBytes()).isLessThan(PrometheusProvider.MAX_BATCH_ANSWER_BYTES + 16L * 1024 * 1024);
    }

    @Test
    void aBatchedRangeQueryIsBoundedAsABatchedQueryIs() {
        PrometheusProvider provider = new PrometheusProvider(peer.url("/huge/200") + "/x", null, Duration.ofSeconds(10),
                LoopbackEgress.policy(), "ramp.prometheus.address");
        java.time.Instant end = java.time.Instant.parse("2026-12-04T03:00:00Z");

        MetricQueryException refused = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                provider.queryMatrix("sum by (service) (up)", java.util.List.of("service"), end.minusSeconds(300), end,
                        Duration.ofSeconds(30));
            } catch (MetricQueryException e) {
                return e;
            }
            throw new AssertionError("the query did not fail");
        });

        assertThat(refused.kind()).isEqualTo(MetricQueryException.Kind.REJECTED);
        assertThat(refused.getMessage()).isEqualTo("Prometheus at " + peer.url("/huge/200/x") + " answered HTTP 200 with more"
                + " than 8 MiB; Ramp reads no more (the query must return one series per workload and revision)");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.brokenOff() == 1);
        assertThat(peer.bodyBytes()).isLessThan(PrometheusProvider.MAX_BATCH_ANSWER_BYTES + 16L * 1024 * 1024);
    }

    @Test
    void aHugeServerErrorIsAnOutageNotTheQuerysFault() {
        MetricQueryException refused = refusal("/huge/503", Duration.ofSeconds(10));

        assertThat(refused.kind()).isEqualTo(MetricQueryException.Kind.UNAVAILABLE);
        assertThat(refused.getMessage()).contains("answered HTTP 503 with more than 4 MiB");
    }
}
