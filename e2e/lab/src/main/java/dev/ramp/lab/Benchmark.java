package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code e2e/lab.sh benchmark}: how fast Ramp reacts and what a release costs its users, at Ramp's
 * default analysis settings, at the fastest ones, and at the fastest with a threshold of 1
 * ({@link #PROFILES}), measured on the lab and written as JSON to {@code docs/benchmarks.json}
 * (or the path given as the argument).
 *
 * <p>{@code e2e/lab.sh benchmark traefik} measures the same through Traefik, a real proxy, on the
 * Gateway API (an HTTPRoute Ramp writes, the checks on Traefik's metrics; cluster lab only) and
 * writes it under the key {@value #TRAEFIK} of the same file and as a second table, beside the
 * Istio path's rows, which it leaves as they are (and which a run on the Istio path keeps in turn).
 *
 * <p>Good release: from the push (commit pushed, webhook sent) to the first user request the
 * canary answers, and to promotion (phase Succeeded). Bad release (30% of requests fail): from the
 * first failed request the canary answers to 100% of traffic back on the primary (the canary's
 * weight 0 in the VirtualService, or in the HTTPRoute through Traefik), and the failed user requests from the push until then.
 */
public final class Benchmark {

    static final int RATE = 50;
    static final Map<String, Manifests.Analysis> PROFILES = new LinkedHashMap<>();

    static {
        PROFILES.put("default", Manifests.Analysis.DEFAULTS);
        // The shortest interval Ramp accepts; a 5s metric window, in which a 10% canary at 50 users
        // per second serves about 25 requests, so a minimum sample of 10 is met by nearly every check.
        PROFILES.put("fastest", new Manifests.Analysis("1s", 3, null, "5s", 10));
        // As fastest, but one failed check rolls back: how much sooner a bad release is undone,
        // and whether a good one still gets through.
        PROFILES.put("threshold-1", new Manifests.Analysis("1s", 1, null, "5s", 10));
    }

    /** The key of {@code docs/benchmarks.json} and the docs table's name for the runs through Traefik. */
    static final String TRAEFIK = "traefik";

    private static final Duration POLL = Duration.ofMillis(100);

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ramp.root", "."));
        List<String> rest = new ArrayList<>(List.of(args));
        LabApp.DataPlane plane = !rest.isEmpty() && TRAEFIK.equals(rest.get(0)) ? LabApp.DataPlane.GATEWAY_API
                : LabApp.DataPlane.MESH;
        if (!rest.isEmpty() && List.of(TRAEFIK, "istio").contains(rest.get(0))) {
            rest.remove(0);
        }
        // The docs table is rewritten only with the JSON the docs link to.
        Path out = !rest.isEmpty() ? Path.of(rest.get(0)) : root.resolve("docs/benchmarks.json");
        Path doc = out.toAbsolutePath().normalize().equals(root.resolve("docs/benchmarks.json").toAbsolutePath().normalize())
                ? root.resolve("docs/lab.md") : null;
        Lab.session(lab -> run(lab, out, doc, plane));
    }

    private static void run(Lab lab, Path out, Path doc, LabApp.DataPlane plane) throws Exception {
        boolean traefik = plane == LabApp.DataPlane.GATEWAY_API;
        if (traefik && !lab.hasGateway()) {
            throw new IllegalStateException("the benchmark through Traefik runs only in the cluster lab (this one is "
                    + lab.mode() + ")");
        }
        List<String> results = new ArrayList<>();
        StringBuilder table = new StringBuilder("""
                | profile | analysis | good: push → first canary traffic | good: push → promoted | bad: first canary failure → 100% on primary | bad: push → 100% on primary | bad: failed requests (of total) | bad: push → revert in Git |
                |---|---|---|---|---|---|---|---|
                """);
        for (var profile : PROFILES.entrySet()) {
            String namespace = (traefik ? "bench-gw-" : "bench-") + profile.getKey();
            try (LabApp app = lab.app(namespace, profile.getValue()).dataPlane(plane).bootstrap("1.0.0", RATE)) {
                Lab.log("profile " + profile.getKey() + ": " + profile.getValue());
                Good good = goodRelease(app);
                Bad bad = badRelease(app);
                results.add("""
                            {"profile": "%s", "analysis": %s,
                             "goodRelease": %s,
                             "badRelease": %s}""".formatted(profile.getKey(), settings(profile.getValue()), good.json(),
                        bad.json()));
                table.append("| %s | %s | %s s | %s s | %s s | %s s | %d (of %d) | %s s |\n".formatted(profile.getKey(),
                        describe(profile.getValue()), good.firstCanary(), good.promoted(), bad.firstFailureToPrimary(),
                        bad.pushToPrimary(), bad.failed(), bad.requests(), bad.reverted()));
            }
        }
        Instant now = Instant.now();
        String json = """
                {
                  "generated": "%s",
                  "machine": %s,
                  "lab": {"mode": "%s", "dataPlane": "%s", "loadRequestsPerSecond": %d, "replicas": 2,
                          "prometheusScrapeInterval": "1s", "badReleaseErrorRate": 0.3, "demoLatencyMs": 20},
                  "runs": [
                %s
                  ]
                }
                """.formatted(now.atOffset(ZoneOffset.UTC).withNano(0), machine(), lab.mode().name().toLowerCase(),
                traefik ? "traefik" : "istio-stand-in", RATE, String.join(",\n", results));
        if (traefik) {
            BenchmarksJson.put(out, TRAEFIK, json);
        } else {
            BenchmarksJson.writeKeepingOthers(out, json);
        }
        System.out.println(json);
        Lab.log("written to " + out + (traefik ? " (under \"" + TRAEFIK + "\")" : ""));
        if (doc != null) {
            String through = traefik
                    ? "; data plane: Traefik (Gateway API, an HTTPRoute on the Gateway " + TraefikGateway.NAMESPACE + "/"
                            + TraefikGateway.GATEWAY + "; built-in metrics on Traefik's service metrics)"
                    : "; data plane: the Istio stand-in (a VirtualService; Istio's telemetry)";
            DocsTable.write(doc, traefik ? "benchmark-" + TRAEFIK : "benchmark", "Lab: " + (lab.mode() == Lab.Mode.CLUSTER
                    ? "the real single-node cluster, Ramp installed by Helm (2 replicas)" : "kwok, Ramp as a process")
                    + through + "; machine: " + machineLine() + "; run " + now.atOffset(ZoneOffset.UTC).withNano(0) + ", "
                    + RATE + " requests/s.\n\n" + table);
        }
    }

    private record Good(String firstCanary, String promoted, String json) {
    }

    private record Bad(String firstFailureToPrimary, String pushToPrimary, String reverted, long failed, int requests,
            String json) {
    }

    /** The analysis settings as the docs table shows them. */
    static String describe(Manifests.Analysis a) {
        return "interval %s, threshold %d, steps %s, window %s, minRequests %d".formatted(
                a.interval() == null ? "30s" : a.interval(), a.threshold() == null ? 3 : a.threshold(),
                a.stepWeights() == null ? "[10, 20, 30, 40, 50]" : a.stepWeights().toString(),
                a.metricInterval() == null ? (a.interval() == null ? "30s" : a.interval()) : a.metricInterval(),
                a.minRequests() == null ? 20 : a.minRequests());
    }

    private static Good goodRelease(LabApp app) throws Exception {
        LabApp.Release release = app.release("2.0.0", 0);
        Instant firstCanary = null;
        Instant promoted = null;
        Instant deadline = release.pushed().plus(Duration.ofMinutes(10));
        while (promoted == null && Instant.now().isBefore(deadline)) {
            if (firstCanary == null) {
                firstCanary = first(app, release.pushed(), r -> "2.0.0".equals(r.version()));
            }
            RolloutView view = app.rollout();
            if ("Failed".equals(view.phase())) {
                throw new IllegalStateException("the good release failed: " + view.metricValues());
            }
            if ("Succeeded".equals(view.phase())) {
                promoted = Instant.now();
            }
            Net.sleep(POLL);
        }
        if (promoted == null) {
            throw new IllegalStateException("the good release was not promoted within 10 minutes");
        }
        Instant end = promoted;
        long failed = app.load().since(release.pushed()).stream().filter(r -> !r.sent().isAfter(end))
                .filter(LoadGenerator.Result::failed).count();
        long failedAfter = drained(app, promoted);
        Lab.log("good release: first canary traffic after " + seconds(release.pushed(), firstCanary) + "s, promoted after "
                + seconds(release.pushed(), promoted) + "s, " + failedAfter + " failed requests after the promotion");
        return new Good(seconds(release.pushed(), firstCanary), seconds(release.pushed(), promoted), """
                {"pushToFirstCanaryTrafficSeconds": %s, "pushToPromotionSeconds": %s, "requests": %d, "failedRequests": %d,
                 "failedRequestsAfterPromotion": %d}"""
                .formatted(seconds(release.pushed(), firstCanary), seconds(release.pushed(), promoted),
                        app.load().since(release.pushed()).stream().filter(r -> !r.sent().isAfter(end)).count(), failed,
                        failedAfter));
    }

    /**
     * Waits until the promoted release's canary is scaled to 0 and users have had 3 s without a
     * failed request since, so that the bad release starts on a quiet route and its checks do not
     * count the previous canary's last requests; returns the user requests that failed after the
     * promotion. Ramp scales the canary down as it routes everything to the primary: a data plane
     * that carries out the route later than the API server stores it (Traefik applies a change up
     * to 2 s after the one before) still sends requests to the canary's Service, whose pods are
     * going, and they fail (no version answers them).
     */
    private static long drained(LabApp app, Instant promoted) {
        Net.await("the promoted release's canary scaled to 0", Duration.ofSeconds(60), () -> app.replicas("podinfo") == 0);
        Instant scaledDown = Instant.now();
        Net.await("3 s without a failed request after the canary's scale-down", Duration.ofSeconds(60), () -> {
            Instant quietSince = Instant.now().minusSeconds(3);
            return quietSince.isAfter(scaledDown) && app.load().count(quietSince, LoadGenerator.Result::failed) == 0;
        });
        return app.load().count(promoted, LoadGenerator.Result::failed);
    }

    private static Bad badRelease(LabApp app) throws Exception {
        LabApp.Release release = app.release("3.0.0", 0.3);
        Instant firstFailure = null;
        Instant allPrimary = null;
        Instant reverted = null;
        Instant deadline = release.pushed().plus(Duration.ofMinutes(10));
        // Until Ramp sees the new revision, the status still shows the previous release's outcome.
        Net.await("release 3.0.0 to start", Duration.ofMinutes(1), () -> "Progressing".equals(app.rollout().phase()));
        while (reverted == null && Instant.now().isBefore(deadline)) {
            if (firstFailure == null) {
                firstFailure = first(app, release.pushed(), r -> "3.0.0".equals(r.version()) && r.failed());
            }
            if (allPrimary == null && firstFailure != null && app.routedCanaryWeight() == 0) {
                allPrimary = Instant.now();
            }
            RolloutView view = app.rollout();
            if ("Succeeded".equals(view.phase())) {
                throw new IllegalStateException("the bad release was promoted");
            }
            if ("Failed".equals(view.phase()) && view.conditionTrue("GitReverted")) {
                reverted = Instant.now();
            }
            Net.sleep(POLL);
        }
        if (allPrimary == null || reverted == null) {
            throw new IllegalStateException("the bad release was not rolled back and reverted within 10 minutes");
        }
        Instant back = allPrimary;
        // Requests already in flight when the weight changed still count, hence the 1s margin.
        List<LoadGenerator.Result> during = app.load().since(release.pushed()).stream()
                .filter(r -> r.sent().isBefore(back.plusSeconds(1))).toList();
        Instant lastCanary = app.load().since(release.pushed()).stream().filter(r -> "3.0.0".equals(r.version()))
                .map(LoadGenerator.Result::sent).max(Instant::compareTo).orElse(null);
        Lab.log("bad release: 100% on the primary " + seconds(firstFailure, allPrimary) + "s after the first failure, "
                + during.stream().filter(LoadGenerator.Result::failed).count() + " failed requests");
        long failed = during.stream().filter(LoadGenerator.Result::failed).count();
        return new Bad(seconds(firstFailure, allPrimary), seconds(release.pushed(), allPrimary),
                seconds(release.pushed(), reverted), failed, during.size(), """
                {"firstCanaryFailureToAllTrafficOnPrimarySeconds": %s, "pushToAllTrafficOnPrimarySeconds": %s,
                 "pushToRevertInGitSeconds": %s, "lastCanaryRequestAfterPushSeconds": %s,
                 "requests": %d, "failedRequests": %d}"""
                .formatted(seconds(firstFailure, allPrimary), seconds(release.pushed(), allPrimary),
                        seconds(release.pushed(), reverted), seconds(release.pushed(), lastCanary), during.size(), failed));
    }

    private static Instant first(LabApp app, Instant from, Predicate<LoadGenerator.Result> which) {
        return app.load().since(from).stream().filter(which).map(LoadGenerator.Result::sent).findFirst().orElse(null);
    }

    private static String seconds(Instant from, Instant to) {
        return from == null || to == null ? "null" : String.format("%.1f", Duration.between(from, to).toMillis() / 1000.0);
    }

    static String settings(Manifests.Analysis a) {
        return ("{\"interval\": \"%s\", \"threshold\": %d, \"stepWeights\": %s, \"metricWindow\": \"%s\","
                + " \"minRequests\": %d}").formatted(
                a.interval() == null ? "30s" : a.interval(), a.threshold() == null ? 3 : a.threshold(),
                a.stepWeights() == null ? "[10, 20, 30, 40, 50]" : a.stepWeights().toString(),
                a.metricInterval() == null ? (a.interval() == null ? "30s" : a.interval()) : a.metricInterval(),
                a.minRequests() == null ? 20 : a.minRequests());
    }

    private static String cpu() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim().replace("\"", "")).findFirst().orElse("unknown");
    }

    private static String memory() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> l.replaceAll("\\D+", "")).findFirst().map(kb -> Long.parseLong(kb) / 1024 / 1024 + " GiB")
                .orElse("unknown");
    }

    static String machine() throws IOException {
        return "{\"cpu\": \"%s\", \"cores\": %d, \"memory\": \"%s\", \"os\": \"%s %s\", \"java\": \"%s\"}".formatted(
                cpu(), Runtime.getRuntime().availableProcessors(), memory(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"));
    }

    /** The machine in one line, for the docs. */
    static String machineLine() throws IOException {
        return "%s, %d cores, %s, %s %s, Java %s".formatted(cpu(), Runtime.getRuntime().availableProcessors(), memory(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"));
    }

    private Benchmark() {
    }
}
