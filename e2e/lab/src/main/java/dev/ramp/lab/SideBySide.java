package dev.ramp.lab;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One release of the same version through several {@link Contender}s, started at one instant
 * (each prepared first, then all started together from a latch), and what each one's users saw,
 * polled every 100 ms until every release has ended (Succeeded or Failed) or the deadline passed.
 */
final class SideBySide {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Set<String> SETTLED = Set.of("Initialized", "Succeeded");

    /**
     * What one operator did with the release. Times are null when they did not happen: no canary
     * request, no failure, traffic never all back on the primary, or no end within the deadline.
     */
    record Outcome(String operator, Instant started, Instant firstCanary, Instant firstFailure, Instant allPrimary,
            Instant ended, String endPhase, long requests, long failed) {

        String json() {
            return ("{\"startToFirstCanaryTrafficSeconds\": %s, \"firstCanaryFailureToAllTrafficOnPrimarySeconds\": %s,"
                    + " \"startToAllTrafficOnPrimarySeconds\": %s, \"startToEndSeconds\": %s, \"end\": %s,"
                    + " \"requests\": %d, \"failedRequests\": %d}").formatted(seconds(started, firstCanary),
                    seconds(firstFailure, allPrimary), seconds(started, allPrimary), seconds(started, ended),
                    endPhase == null ? "null" : "\"" + endPhase + "\"", requests, failed);
        }
    }

    private SideBySide() {
    }

    /**
     * Releases {@code version} (failing {@code errorRate} of requests) through all contenders at
     * once. A good release ends at Succeeded (or Failed, a false rollback); a bad one when its
     * operator marked it Failed and the canary's weight was seen at 0. Requests are counted from
     * the start to the end, for a bad release to all traffic on the primary, plus 1 s for
     * requests in flight then.
     */
    static List<Outcome> release(List<Contender> contenders, String version, double errorRate, Duration within)
            throws Exception {
        boolean bad = errorRate > 0;
        List<Callable<Instant>> starts = new ArrayList<>();
        for (Contender c : contenders) {
            starts.add(c.prepare(version, errorRate));
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(contenders.size(), r -> PodRunner.daemon(r, "side-by-side"));
        List<Watch> watches = new ArrayList<>();
        try {
            List<Future<Instant>> started = new ArrayList<>();
            for (Callable<Instant> start : starts) {
                started.add(pool.submit(() -> {
                    go.await();
                    return start.call();
                }));
            }
            go.countDown();
            for (int i = 0; i < contenders.size(); i++) {
                watches.add(new Watch(contenders.get(i), version, bad, started.get(i).get(30, TimeUnit.SECONDS)));
            }
        } finally {
            pool.shutdownNow();
        }
        Lab.log("released " + version + (bad ? " (fails " + Math.round(errorRate * 100) + "%)" : "") + " through "
                + contenders.stream().map(Contender::operator).toList());
        Instant deadline = Instant.now().plus(within);
        while (watches.stream().anyMatch(w -> !w.done()) && Instant.now().isBefore(deadline)) {
            watches.stream().filter(w -> !w.done()).forEach(Watch::poll);
            Net.sleep(POLL);
        }
        return watches.stream().map(Watch::outcome).toList();
    }

    /** One contender's release, as polled. */
    private static final class Watch {
        private final Contender contender;
        private final String version;
        private final boolean bad;
        private final Instant started;
        private boolean progressing;
        private Instant firstCanary;
        private Instant firstFailure;
        private Instant allPrimary;
        private Instant ended;
        private String endPhase;
        private int apiErrors;

        Watch(Contender contender, String version, boolean bad, Instant started) {
            this.contender = contender;
            this.version = version;
            this.bad = bad;
            this.started = started;
        }

        boolean done() {
            return ended != null && (!bad || allPrimary != null || !"Failed".equals(endPhase));
        }

        /**
         * One look at the users' requests and the operator's status. An API request that fails
         * (the API server slow on a busy machine) only skips this look: the deadline bounds them all.
         */
        void poll() {
            try {
                look();
            } catch (KubernetesClientException e) {
                if (apiErrors++ == 0) {
                    Lab.log(contender.operator() + " (" + contender.namespace() + "): reading status failed, retrying: "
                            + e.getMessage());
                }
            }
        }

        private void look() {
            List<LoadGenerator.Result> since = contender.load().since(started);
            if (firstCanary == null) {
                firstCanary = since.stream().filter(r -> version.equals(r.version())).map(LoadGenerator.Result::sent)
                        .findFirst().orElse(null);
            }
            if (bad && firstFailure == null) {
                firstFailure = since.stream().filter(r -> version.equals(r.version()) && r.failed())
                        .map(LoadGenerator.Result::sent).findFirst().orElse(null);
            }
            if (bad && allPrimary == null && firstFailure != null && contender.canaryWeight() == 0) {
                allPrimary = Instant.now();
            }
            String phase = contender.phase();
            // Until the operator sees the new version, its status still shows the previous outcome.
            progressing |= phase != null && !SETTLED.contains(phase);
            if (ended == null && progressing && ("Succeeded".equals(phase) || "Failed".equals(phase))) {
                ended = Instant.now();
                endPhase = phase;
                Lab.log(contender.operator() + " (" + contender.namespace() + "): " + version + " " + phase + " after "
                        + seconds(started, ended) + " s");
            }
        }

        Outcome outcome() {
            Instant until = bad ? (allPrimary == null ? null : allPrimary.plusSeconds(1)) : ended;
            List<LoadGenerator.Result> during = contender.load().since(started).stream()
                    .filter(r -> until == null || r.sent().isBefore(until)).toList();
            return new Outcome(contender.operator(), started, firstCanary, firstFailure, allPrimary, ended, endPhase,
                    during.size(), during.stream().filter(LoadGenerator.Result::failed).count());
        }
    }

    static String seconds(Instant from, Instant to) {
        return from == null || to == null ? "null" : String.format("%.1f", Duration.between(from, to).toMillis() / 1000.0);
    }
}
