package dev.ramp.lab;

import com.sun.net.httpserver.HttpServer;
import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.AnalysisMetrics;
import dev.ramp.analysis.CheckFailure;
import dev.ramp.analysis.CheckResult;
import dev.ramp.analysis.Providers;
import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Timestamps;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.ReleasePlan;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code e2e/lab.sh judge [MINUTES]}: the statistical judge's error rates, measured (a benchmark,
 * not a test; docs/judge.md, "Measured error rates"). Many releases at once in one JVM: for each
 * variant ({@link JudgeVariant}: A/A, latency +10/+25/+50%, errors +0.5/+2 points) pairs of a
 * baseline and a canary ({@link ReleasePair}) under the same request rate, their requests recorded
 * as Istio's telemetry and scraped every second by a real Prometheus. Each pair runs releases one
 * after another (a new canary revision each), and each release is checked three ways on the same
 * requests: by the judge, and by today's threshold checks with a loose and a tight latency bound
 * ({@link Contender}). Every check is the operator's own ({@link Analysis#run}, on a Rollout
 * object), at the operator's pace and counted as the operator counts ({@link CheckedRelease}),
 * until each way has rolled the release back, ended it or promoted it. Written to
 * {@code docs/judge.json} and the table in {@code docs/judge.md} ({@link JudgeResults}).
 */
public final class JudgeBenchmark {

    static final int PER_SECOND = 50;
    static final double MEDIAN_MS = 50;
    static final double SPREAD = 0.3;
    static final double BASE_ERROR_RATE = 0.005;
    /** A release still undecided this long after its start is counted as such and ended. */
    static final Duration MAX_RELEASE = Duration.ofSeconds(90);
    /** Between two releases of a pair: the old canary revision's last requests leave Prometheus' newest sample. */
    private static final Duration GAP = Duration.ofSeconds(2);

    /** One way of checking a release: a Rollout's analysis (its judge and metrics), everything else the same. */
    record Contender(String name, String label, String analysis) {

        /** The Rollout checking the canary of {@code target}, as a user would write it. */
        Rollout rollout(String target) {
            return Serialization.unmarshal("""
                    apiVersion: ramp.dev/v1alpha1
                    kind: Rollout
                    metadata: {name: %s, namespace: %s}
                    spec:
                      targetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
                      service: {port: 80}
                      analysis:
                        interval: 5s
                        threshold: 2
                        stepWeights: [10, 25, 50, 75]
                    %s""".formatted(target, ReleasePair.NAMESPACE, target, analysis.indent(4)), Rollout.class);
        }
    }

    static final List<Contender> CONTENDERS = List.of(
            new Contender("judge", "judge: canary vs baseline", """
                    judge: {step: 1s, minPoints: 10}
                    metrics:
                    - name: request-duration
                      compare: {direction: increase, tolerance: 0.1, critical: true}
                    - name: request-success-rate
                      compare: {direction: decrease, minEffect: 0.5, critical: true}
                    """),
            new Contender("threshold500", "thresholds: success ≥ 99%, p99 ≤ 500 ms", """
                    metrics:
                    - name: request-success-rate
                      thresholdRange: {min: 99}
                    - name: request-duration
                      thresholdRange: {max: 500}
                    """),
            new Contender("threshold200", "thresholds: success ≥ 99%, p99 ≤ 200 ms", """
                    metrics:
                    - name: request-success-rate
                      thresholdRange: {min: 99}
                    - name: request-duration
                      thresholdRange: {max: 200}
                    """));

    private JudgeBenchmark() {
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ramp.root", ".")).toAbsolutePath().normalize();
        Duration length = Duration.ofMinutes(args.length > 0 ? Long.parseLong(args[0]) : 20);
        int code = 0;
        try {
            Instant began = Instant.now();
            List<JudgeResults.Release> releases = run(root.resolve("e2e/.work/lab"), length);
            JudgeResults results = new JudgeResults(began, length, releases);
            Files.writeString(root.resolve("docs/judge.json"), results.json() + "\n");
            DocsTable.write(root.resolve("docs/judge.md"), "judge", results.table());
            Lab.log("judge: " + releases.size() + " releases written to docs/judge.json and docs/judge.md");
        } catch (Exception e) {
            System.err.println("[lab] judge benchmark failed: " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private static List<JudgeResults.Release> run(Path dir, Duration length) throws Exception {
        Files.createDirectories(dir);
        MeshTelemetry telemetry = new MeshTelemetry();
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        exporter.createContext("/metrics", exchange -> {
            try (exchange) {
                byte[] body = telemetry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        exporter.start();
        ExecutorService workers = Executors.newFixedThreadPool(192, r -> PodRunner.daemon(r, "demo"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> PodRunner.daemon(r, "sidecar"));
        ScheduledExecutorService checks = Executors.newScheduledThreadPool(4, r -> PodRunner.daemon(r, "checks"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        List<ReleasePair> pairs = new ArrayList<>();
        try (Prometheus prometheus = new Prometheus(dir, "127.0.0.1", List.of("127.0.0.1:" + exporter.getAddress().getPort()), false)) {
            Analysis analysis = new Analysis(new Providers(null, prometheus.address()), new AnalysisMetrics(new SimpleMeterRegistry()));
            List<JudgeVariant> variants = JudgeVariant.ALL;
            for (JudgeVariant variant : variants) {
                for (int i = 0; i < variant.pairs(); i++) {
                    pairs.add(new ReleasePair(variant.name() + "-" + i, variant.baseline(Net.freePort()),
                            variant.canary(Net.freePort()), PER_SECOND, telemetry, http, workers, ticker));
                }
            }
            Lab.log("judge: " + pairs.size() + " pairs of baseline and canary at " + PER_SECOND + " requests/s each, Prometheus "
                    + prometheus.address() + "; releasing for " + length.toMinutes() + " min");
            // The baselines' series must reach back over a whole window before the first release.
            Net.await("the baselines' telemetry in Prometheus", Duration.ofSeconds(60), () -> Optional.ofNullable(prometheus.query(
                    "count(count_over_time(istio_requests_total{destination_canonical_revision=\"base\",response_code=\"200\"}[30s]) >= 15)"))
                    .orElse(0.0) >= pairs.size());
            Instant end = Instant.now().plus(length);
            List<JudgeResults.Release> releases = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(pairs.size());
            for (int i = 0; i < pairs.size(); i++) {
                ReleasePair pair = pairs.get(i);
                JudgeVariant variant = variants.stream().filter(v -> pair.name().startsWith(v.name() + "-")).findFirst().orElseThrow();
                new PairReleases(pair, variant, analysis, checks, end, releases, done).startAfter(Duration.ofMillis(1500L * i));
            }
            if (!done.await(length.plus(MAX_RELEASE).plusMinutes(2).toSeconds(), TimeUnit.SECONDS)) {
                Lab.log("judge: some releases did not end in time; writing what ended");
            }
            List<JudgeResults.Release> sorted = new ArrayList<>(releases);
            sorted.sort(Comparator.comparing(JudgeResults.Release::start));
            // Every release's outcome, for a closer look than the table's (not in the docs).
            Files.write(dir.resolve("judge-releases.txt"), sorted.stream().map(r -> String.join("\t", r.start().toString(), r.pair(),
                    r.revision(), r.contender(), r.describe(), r.why() == null ? "" : r.why())).toList());
            return sorted;
        } finally {
            pairs.forEach(ReleasePair::close);
            checks.shutdownNow();
            ticker.shutdownNow();
            workers.shutdownNow();
            exporter.stop(0);
        }
    }

    /** One pair's releases, one after another until the benchmark's end, each checked by every contender. */
    private static final class PairReleases {

        private final ReleasePair pair;
        private final JudgeVariant variant;
        private final Analysis analysis;
        private final ScheduledExecutorService checks;
        private final Instant end;
        private final List<JudgeResults.Release> releases;
        private final CountDownLatch done;
        private int count;

        PairReleases(ReleasePair pair, JudgeVariant variant, Analysis analysis, ScheduledExecutorService checks, Instant end,
                List<JudgeResults.Release> releases, CountDownLatch done) {
            this.pair = pair;
            this.variant = variant;
            this.analysis = analysis;
            this.checks = checks;
            this.end = end;
            this.releases = releases;
            this.done = done;
        }

        void startAfter(Duration delay) {
            checks.schedule(this::release, delay.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void release() {
            if (Instant.now().isAfter(end)) {
                done.countDown();
                return;
            }
            String revision = "r" + (++count);
            Instant start = Instant.now();
            pair.release(revision);
            AtomicInteger open = new AtomicInteger(CONTENDERS.size());
            for (Contender contender : CONTENDERS) {
                Rollout rollout = contender.rollout(pair.name());
                RolloutStatus status = new RolloutStatus();
                status.setReleaseStartTime(Timestamps.format(start));
                status.setLastPromotedRevision(ReleasePair.PROMOTED);
                rollout.setStatus(status);
                CheckedRelease checked = new CheckedRelease(AnalysisSettings.of(rollout), ReleasePlan.of(rollout).size(), start);
                schedule(new Checking(contender, rollout, revision, checked, start, open));
            }
        }

        private record Checking(Contender contender, Rollout rollout, String revision, CheckedRelease checked, Instant start,
                AtomicInteger open) {
        }

        /**
         * The next check, never before it is due: a check a millisecond early finds its step held
         * for less than the interval and holds it for another (the operator's reconciles come late,
         * never early), so the delay is rounded up.
         */
        private void schedule(Checking c) {
            long micros = Duration.between(Instant.now(), c.checked().nextCheck()).toNanos() / 1000;
            checks.schedule(() -> check(c), Math.max(0, micros) + 1000, TimeUnit.MICROSECONDS);
        }

        private void check(Checking c) {
            try {
                Instant at = Instant.now();
                if (Duration.between(c.start(), at).compareTo(MAX_RELEASE) > 0) {
                    ended(c, new JudgeResults.Release(variant.name(), pair.name(), c.revision(), c.start(), c.contender().name(),
                            null, null, 0, "undecided after " + MAX_RELEASE.toSeconds() + " s"));
                    return;
                }
                CheckResult result = analysis.run(c.rollout(), c.revision(), TemplateLookup.of(List.of()));
                boolean filling = result.failure().filter(f -> f == CheckFailure.WINDOW_FILLING).isPresent();
                Optional<CheckedRelease.Decided> decided = c.checked().record(at, result.verdict(), filling, result.evidence(),
                        result.failedOnErrors());
                if (decided.isEmpty()) {
                    schedule(c);
                    return;
                }
                CheckedRelease.Decided d = decided.get();
                String why = d.outcome() == CheckedRelease.Outcome.PROMOTED ? null : result.failures();
                ended(c, new JudgeResults.Release(variant.name(), pair.name(), c.revision(), c.start(), c.contender().name(),
                        d.outcome(), d.after(), d.checks(), why));
            } catch (RuntimeException e) {
                Lab.log("judge: a check of " + pair.name() + " " + c.revision() + " (" + c.contender().name() + ") failed: " + e);
                ended(c, new JudgeResults.Release(variant.name(), pair.name(), c.revision(), c.start(), c.contender().name(),
                        null, null, 0, "check failed: " + e));
            }
        }

        private void ended(Checking c, JudgeResults.Release release) {
            releases.add(release);
            if (c.open().decrementAndGet() == 0) {
                List<String> outcomes;
                synchronized (releases) {
                    outcomes = releases.stream().filter(r -> r.pair().equals(pair.name()) && r.revision().equals(c.revision()))
                            .map(r -> r.contender() + " " + r.describe()).toList();
                }
                Lab.log("judge: " + pair.name() + " " + c.revision() + " ended: " + outcomes);
                checks.schedule(this::release, GAP.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
