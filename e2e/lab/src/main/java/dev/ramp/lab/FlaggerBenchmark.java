package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code e2e/lab.sh versus-flagger}: Ramp and Flagger side by side on one lab. For each of
 * {@link #PROFILES}, a copy of the demo app per operator, in namespaces of their own, under the
 * same load ({@value Benchmark#RATE} requests/s each) through the same mesh and Prometheus; the
 * same good version, then the same bad one (30% of requests fail), released through both at one
 * instant ({@link SideBySide}). Written into {@code docs/benchmarks.json} (key
 * {@value BenchmarksJson#VERSUS_FLAGGER}; or the file given as the first argument) and, with the
 * docs' JSON, as a table with the ratios into docs/lab.md. Further arguments name the profiles
 * to run (all by default).
 */
public final class FlaggerBenchmark {

    /** The same analysis for both operators, as far as each accepts it. */
    record Profile(String name, String description, Manifests.Analysis ramp, FlaggerApp.Settings flagger) {
    }

    static final List<Profile> PROFILES = List.of(
            new Profile("default", "interval 30 s, threshold 3, window 30 s", Manifests.Analysis.DEFAULTS,
                    new FlaggerApp.Settings("30s", 3, "30s")),
            new Profile("fastest", "fastest each accepts (Flagger 10 s, Ramp 1 s), threshold 3, window 5 s",
                    Benchmark.PROFILES.get("fastest"), new FlaggerApp.Settings("10s", 3, "5s")),
            new Profile("threshold-1", "the same with threshold 1", Benchmark.PROFILES.get("threshold-1"),
                    new FlaggerApp.Settings("10s", 1, "5s")));

    private static final Duration RELEASE_WITHIN = Duration.ofMinutes(12);

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ramp.root", "."));
        Path docsJson = root.resolve("docs/benchmarks.json").toAbsolutePath().normalize();
        Path out = args.length > 0 ? Path.of(args[0]).toAbsolutePath().normalize() : docsJson;
        Path doc = out.equals(docsJson) ? root.resolve("docs/lab.md") : null;
        List<String> names = List.of(args).subList(Math.min(1, args.length), args.length);
        List<Profile> profiles = PROFILES.stream().filter(p -> names.isEmpty() || names.contains(p.name())).toList();
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("no profile named " + names + "; there are "
                    + PROFILES.stream().map(Profile::name).toList());
        }
        Lab.session(lab -> run(lab, profiles, out, doc));
    }

    private static void run(Lab lab, List<Profile> profiles, Path out, Path doc) throws Exception {
        FlaggerProcess flagger = lab.track(FlaggerProcess.fromProperties(lab)).start();
        List<String> results = new ArrayList<>();
        StringBuilder table = new StringBuilder("""
                | settings (both) | Flagger: first failure → all traffic on primary | Ramp | ratio | failed requests Flagger / Ramp | ratio | good release promoted after, Flagger / Ramp |
                |---|---|---|---|---|---|---|
                """);
        for (Profile profile : profiles) {
            String loadBefore = loadAverage();
            try (LabApp rampApp = lab.app("ramp-" + profile.name(), profile.ramp());
                    FlaggerApp flaggerApp = new FlaggerApp(lab, "flagger-" + profile.name(), profile.flagger())) {
                Lab.log("profile " + profile.name() + ": Ramp " + profile.ramp() + "; Flagger " + profile.flagger());
                rampApp.bootstrap("1.0.0", Benchmark.RATE);
                flaggerApp.bootstrap("1.0.0", Benchmark.RATE);
                List<Contender> both = List.of(Contender.ramp(rampApp), flaggerApp);
                List<SideBySide.Outcome> good = SideBySide.release(both, "2.0.0", 0, RELEASE_WITHIN);
                List<SideBySide.Outcome> bad = SideBySide.release(both, "3.0.0", 0.3, RELEASE_WITHIN);
                Comparison c = new Comparison(good.get(0), good.get(1), bad.get(0), bad.get(1));
                Lab.log(profile.name() + ": first failure → all on primary, Flagger " + c.flaggerSeconds() + " s, Ramp "
                        + c.rampSeconds() + " s; failed requests Flagger " + bad.get(1).failed() + ", Ramp "
                        + bad.get(0).failed());
                results.add(c.json(profile, loadBefore, loadAverage()));
                table.append(c.row(profile));
            }
            // After each profile, so that a run cut short keeps what it measured.
            write(lab, flagger, results, table.toString(), out, doc);
        }
    }

    private static void write(Lab lab, FlaggerProcess flagger, List<String> results, String table, Path out, Path doc)
            throws IOException {
        Instant now = Instant.now();
        String json = """
                {"generated": "%s", "machine": %s,
                 "lab": {"mode": "%s", "loadRequestsPerSecondPerApp": %d, "replicas": 2, "prometheusScrapeInterval": "1s",
                         "badReleaseErrorRate": 0.3, "demoLatencyMs": 20},
                 "flagger": {"version": "%s", "flags": "-mesh-provider istio -metrics-server <lab Prometheus>, defaults otherwise"},
                 "profiles": [
                %s
                 ]}
                """.formatted(now.atOffset(ZoneOffset.UTC).withNano(0), Benchmark.machine(),
                lab.mode().name().toLowerCase(), Benchmark.RATE, flagger.version(), String.join(",\n", results));
        BenchmarksJson.put(out, BenchmarksJson.VERSUS_FLAGGER, json);
        Lab.log("written to " + out + " (" + BenchmarksJson.VERSUS_FLAGGER + ")");
        if (doc != null) {
            DocsTable.write(doc, "versus-flagger", "Lab: " + lab.mode().name().toLowerCase() + ", Ramp as a process,"
                    + " Flagger " + flagger.version() + " as a process; machine: " + Benchmark.machineLine() + "; run "
                    + now.atOffset(ZoneOffset.UTC).withNano(0) + ", " + Benchmark.RATE + " requests/s to each app.\n\n"
                    + table);
        }
    }

    /** The machine's load averages (1, 5, 15 min), which the JSON keeps beside each profile: the lab shares 2 cores. */
    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return String.join(" ", fields[0], fields[1], fields[2]);
    }

    /** One profile's outcomes: the good and the bad release, each through Ramp and Flagger. */
    private record Comparison(SideBySide.Outcome rampGood, SideBySide.Outcome flaggerGood, SideBySide.Outcome rampBad,
            SideBySide.Outcome flaggerBad) {

        String rampSeconds() {
            return SideBySide.seconds(rampBad.firstFailure(), rampBad.allPrimary());
        }

        String flaggerSeconds() {
            return SideBySide.seconds(flaggerBad.firstFailure(), flaggerBad.allPrimary());
        }

        /** Ramp's figure as a fraction of Flagger's, {@code 1/6.2}; a dash when either is missing. */
        static String ratio(String flagger, String ramp) {
            if ("null".equals(flagger) || "null".equals(ramp)) {
                return "–";
            }
            double f = Double.parseDouble(flagger);
            double r = Double.parseDouble(ramp);
            return r == 0 ? "Ramp 0" : "1/%.1f".formatted(f / r);
        }

        static String fraction(String flagger, String ramp) {
            if ("null".equals(flagger) || "null".equals(ramp) || Double.parseDouble(flagger) == 0) {
                return "null";
            }
            return "%.3f".formatted(Double.parseDouble(ramp) / Double.parseDouble(flagger));
        }

        String json(Profile p, String loadBefore, String loadAfter) {
            return """
                    {"profile": "%s", "settings": "%s", "machineLoadAverage": {"before": "%s", "after": "%s"},
                     "analysis": {"ramp": %s,
                                  "flagger": {"interval": "%s", "threshold": %d, "stepWeight": 10, "maxWeight": 50, "metricWindow": "%s"}},
                     "goodRelease": {"ramp": %s,
                                     "flagger": %s},
                     "badRelease": {"ramp": %s,
                                    "flagger": %s},
                     "rampOverFlagger": {"firstCanaryFailureToAllTrafficOnPrimary": %s, "failedRequests": %s}}"""
                    .formatted(p.name(), p.description(), loadBefore, loadAfter, Benchmark.settings(p.ramp()), p.flagger().interval(),
                            p.flagger().threshold(), p.flagger().window(), rampGood.json(), flaggerGood.json(),
                            rampBad.json(), flaggerBad.json(), fraction(flaggerSeconds(), rampSeconds()),
                            fraction(String.valueOf(flaggerBad.failed()), String.valueOf(rampBad.failed())));
        }

        String row(Profile p) {
            return "| %s | %s | %s | %s | %d / %d | %s | %s / %s |\n".formatted(p.description(), time(flaggerSeconds()),
                    time(rampSeconds()), ratio(flaggerSeconds(), rampSeconds()), flaggerBad.failed(), rampBad.failed(),
                    ratio(String.valueOf(flaggerBad.failed()), String.valueOf(rampBad.failed())), good(flaggerGood),
                    good(rampGood));
        }

        private static String time(String seconds) {
            return "null".equals(seconds) ? "not within " + RELEASE_WITHIN.toMinutes() + " min" : seconds + " s";
        }

        private static String good(SideBySide.Outcome o) {
            String seconds = SideBySide.seconds(o.started(), o.ended());
            return "Succeeded".equals(o.endPhase()) ? seconds + " s" : (o.endPhase() == null ? "not ended" : o.endPhase());
        }
    }

    private FlaggerBenchmark() {
    }
}
