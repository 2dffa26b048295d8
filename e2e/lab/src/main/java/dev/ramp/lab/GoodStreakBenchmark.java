package dev.ramp.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The price of fast rollbacks: good releases in a row at the fastest settings
 * ({@code Benchmark}'s "fastest" profile: interval 1 s, threshold 3, window 5 s, minRequests 10),
 * counting those Ramp rolled back although nothing was wrong with them. Run it beside a CPU burner
 * to see it on a busy machine ({@code stress-ng --cpu 2}); the load average before and after is
 * kept. Writes {@code docs/benchmarks-good-streak.json} and the docs table "good-streak".
 *
 * <p>{@code e2e/lab.sh good-streak [out.json] [releases]}; releases alternate between the demo's
 * versions 2.0.0 and 1.0.0 (both healthy), each a new revision for Ramp.
 */
public final class GoodStreakBenchmark {

    private static final Duration EACH = Duration.ofMinutes(3);

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ramp.root", "."));
        Path out = args.length > 0 ? Path.of(args[0]) : root.resolve("docs/benchmarks-good-streak.json");
        int releases = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path doc = out.toAbsolutePath().normalize().equals(root.resolve("docs/benchmarks-good-streak.json").toAbsolutePath()
                .normalize()) ? root.resolve("docs/lab.md") : null;
        Lab.session(lab -> run(lab, out, doc, releases));
    }

    private record Outcome(int index, String version, String end, String reason, String metrics, double seconds,
            long requests, long failed) {
    }

    private static void run(Lab lab, Path out, Path doc, int releases) throws Exception {
        String before = loadAverage();
        List<Outcome> outcomes = new ArrayList<>();
        try (LabApp app = lab.app("streak", Benchmark.PROFILES.get("fastest")).bootstrap("1.0.0", Benchmark.RATE)) {
            for (int i = 1; i <= releases; i++) {
                String version = i % 2 == 1 ? "2.0.0" : "1.0.0";
                outcomes.add(release(app, i, version));
            }
        }
        String after = loadAverage();
        long rolledBack = outcomes.stream().filter(o -> !"Succeeded".equals(o.end())).count();
        Instant now = Instant.now();
        StringBuilder runs = new StringBuilder();
        for (Outcome o : outcomes) {
            runs.append(runs.isEmpty() ? "" : ",\n").append("""
                        {"release": %d, "version": "%s", "end": "%s", "rollbackReason": %s, "pushToEndSeconds": %.1f,
                         "requests": %d, "failedRequests": %d, "lastMetrics": "%s"}""".formatted(o.index(), o.version(), o.end(),
                    o.reason() == null ? "null" : "\"" + o.reason() + "\"", o.seconds(), o.requests(), o.failed(),
                    o.metrics().replace("\"", "'")));
        }
        String json = """
                {
                  "generated": "%s",
                  "machine": %s,
                  "lab": {"mode": "%s", "loadRequestsPerSecond": %d, "prometheusScrapeInterval": "1s"},
                  "analysis": %s,
                  "machineLoadAverage": {"before": "%s", "after": "%s"},
                  "releases": %d,
                  "rolledBack": %d,
                  "runs": [
                %s
                  ]
                }
                """.formatted(now.atOffset(ZoneOffset.UTC).withNano(0), Benchmark.machine(), lab.mode().name().toLowerCase(),
                Benchmark.RATE, Benchmark.settings(Benchmark.PROFILES.get("fastest")), before, after, outcomes.size(),
                rolledBack, runs);
        Files.writeString(out, json);
        Lab.log("written to " + out + ": " + rolledBack + " of " + outcomes.size() + " good releases rolled back");
        if (doc != null) {
            DocsTable.write(doc, "good-streak", "Lab: " + lab.mode().name().toLowerCase() + "; machine: "
                    + Benchmark.machineLine() + "; load average before " + before + ", after " + after + "; run "
                    + now.atOffset(ZoneOffset.UTC).withNano(0) + ", " + Benchmark.RATE + " requests/s; "
                    + Benchmark.describe(Benchmark.PROFILES.get("fastest")) + ".\n\n"
                    + "| good releases | promoted | rolled back | push → promoted, median | push → promoted, max | failed requests |\n"
                    + "|---|---|---|---|---|---|\n"
                    + "| %d | %d | %d%s | %.1f s | %.1f s | %d |\n".formatted(outcomes.size(), outcomes.size() - rolledBack,
                            rolledBack, rolledBack == 0 ? "" : " (" + reasons(outcomes) + ")", median(outcomes), max(outcomes),
                            outcomes.stream().mapToLong(Outcome::failed).sum()));
        }
    }

    private static Outcome release(LabApp app, int index, String version) throws Exception {
        LabApp.Release release = app.release(version, 0);
        Instant deadline = release.pushed().plus(EACH);
        Net.await("release " + index + " to start", Duration.ofMinutes(1), () -> "Progressing".equals(app.rollout().phase()));
        RolloutView view = app.rollout();
        while (Instant.now().isBefore(deadline) && !"Succeeded".equals(view.phase()) && !"Failed".equals(view.phase())) {
            Net.sleep(Duration.ofMillis(200));
            view = app.rollout();
        }
        Instant end = Instant.now();
        String phase = view.phase() == null ? "unknown" : view.phase();
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
            phase = "TimedOut";
        }
        var during = app.load().since(release.pushed()).stream().filter(r -> !r.sent().isAfter(end)).toList();
        long failed = during.stream().filter(LoadGenerator.Result::failed).count();
        double seconds = Duration.between(release.pushed(), end).toMillis() / 1000.0;
        Lab.log("release " + index + " (" + version + "): " + phase + " after " + String.format("%.1f", seconds) + " s"
                + ("Succeeded".equals(phase) ? "" : " (" + view.rollbackReason() + ": " + view.metricValues() + ")"));
        return new Outcome(index, version, phase, view.rollbackReason(), view.metricValues(), seconds, during.size(), failed);
    }

    private static String reasons(List<Outcome> outcomes) {
        return String.join(", ", outcomes.stream().filter(o -> !"Succeeded".equals(o.end()))
                .map(o -> "#" + o.index() + " " + o.end() + (o.reason() == null ? "" : " " + o.reason())).toList());
    }

    private static double median(List<Outcome> outcomes) {
        List<Double> s = outcomes.stream().filter(o -> "Succeeded".equals(o.end())).map(Outcome::seconds).sorted().toList();
        return s.isEmpty() ? 0 : s.get(s.size() / 2);
    }

    private static double max(List<Outcome> outcomes) {
        return outcomes.stream().filter(o -> "Succeeded".equals(o.end())).mapToDouble(Outcome::seconds).max().orElse(0);
    }

    private static String loadAverage() throws java.io.IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    private GoodStreakBenchmark() {
    }
}
