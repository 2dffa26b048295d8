package dev.ramp.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ramp.lab.ScaleBenchmark.Memory;
import dev.ramp.lab.ScaleBenchmark.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The scale benchmark's runs as {@code docs/scale.json} keeps them and {@code docs/scale.md} shows
 * them: one row per contender (Ramp or Flagger), N and shards, the latest run of each, so a run of
 * some sizes keeps the rows of the others; and for each N that both contenders ran on one operator,
 * Flagger's figures over Ramp's. {@link #write} writes both files.
 */
final class ScaleTable {

    private ScaleTable() {
    }

    /** {@code kept} with every run of {@code fresh} in place of the kept run of its key; Ramp's rows before Flagger's. */
    static List<Result> merge(List<Result> kept, List<Result> fresh) {
        Map<String, Result> byKey = new LinkedHashMap<>();
        kept.forEach(r -> byKey.put(key(r), r));
        fresh.forEach(r -> byKey.put(key(r), r));
        List<Result> runs = new ArrayList<>(byKey.values());
        runs.sort(Comparator.comparingInt(Result::rollouts)
                .thenComparing(r -> ScaleBenchmark.FLAGGER.equals(r.contender()))
                .thenComparingInt(Result::shards));
        return runs;
    }

    /**
     * Writes {@code results} into {@code out}, in place of the runs there of the same contender, N
     * and shards and beside the others (a run kept from an older file without a contender or date
     * is Ramp's, of the file's {@code generated}); into docs/scale.md's table when {@code out} is
     * docs/scale.json.
     */
    static void write(Path root, Path out, List<Result> results) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<Result> kept = new ArrayList<>();
        JsonNode flaggerBefore = null;
        if (Files.isRegularFile(out)) {
            JsonNode old = json.readTree(out.toFile());
            flaggerBefore = old.path("settings").get("flagger");
            for (JsonNode run : old.path("runs")) {
                ObjectNode copy = ((ObjectNode) run).deepCopy();
                if (!copy.has("contender")) {
                    copy.put("contender", ScaleBenchmark.RAMP);
                }
                if (!copy.has("ranAt")) {
                    copy.put("ranAt", old.path("generated").asText());
                }
                kept.add(json.treeToValue(copy, Result.class));
            }
        }
        List<Result> runs = merge(kept, results);
        Instant now = Instant.now();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("generated", now.atOffset(ZoneOffset.UTC).withNano(0).toString());
        tree.put("machine", json.readTree(Benchmark.machine()));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("jvm", ScaleBenchmark.jvm(root));
        settings.put("env", OperatorProcess.CHART_ENV);
        settings.put("replicas", "1 per operator; N/S: S shards, each reconciling every S-th namespace (ramp.watch.namespaces)");
        settings.put("rolloutsPerNamespace", ScaleFleet.PER_NAMESPACE);
        settings.put("interval", ScaleFleet.INTERVAL_SECONDS + "s");
        settings.put("threshold", 2);
        settings.put("stepWeights", ScaleFleet.STEPS);
        settings.put("metrics", List.of("request-success-rate"));
        settings.put("canaryRequestsPerSecond", FleetTelemetry.RATE);
        settings.put("prometheusScrapeInterval", "1s");
        settings.put("nodes", "kwok (fake)");
        String flaggerVersion = System.getProperty("ramp.flagger.version");
        Object flagger = flaggerVersion == null ? flaggerBefore : Map.of("version", flaggerVersion, "flags", ScaleBenchmark.FLAGGER_FLAGS,
                "canary", "the same analysis: interval 10s, threshold 2, stepWeights [10, 20, 30], request-success-rate"
                        + " min 99 over 10s (Ramp's window, its interval)");
        if (flagger != null) {
            settings.put("flagger", flagger);
        }
        tree.put("settings", settings);
        tree.put("runs", runs);
        json.writeValue(out.toFile(), tree);
        Lab.log("written to " + out);
        Path doc = root.resolve("docs/scale.md");
        if (out.toAbsolutePath().normalize().equals(root.resolve("docs/scale.json").toAbsolutePath().normalize())
                && Files.isRegularFile(doc)) {
            String flaggerLine = flagger == null ? "" : " Flagger " + ((flagger instanceof JsonNode node)
                    ? node.path("version").asText() : flaggerVersion) + " as a process: " + ScaleBenchmark.FLAGGER_FLAGS + ".";
            DocsTable.write(doc, "scale", "Machine: " + Benchmark.machineLine() + "; the operator's JVM: "
                    + String.join(" ", ScaleBenchmark.jvm(root)) + "." + flaggerLine + " Each row is the latest run of its contender, N"
                    + " and shards, measured at the time it gives (the release's start).\n\n" + render(runs));
        }
    }

    private static String key(Result r) {
        return r.contender() + " " + r.rollouts() + "/" + r.shards();
    }

    /** The table, then the ratios of each N both contenders ran. */
    static String render(List<Result> runs) {
        StringBuilder out = new StringBuilder("""
                | run | measured | step lateness p50 / p99 / max | good: change → promoted p50 / p99 | failing: first traffic → Failed p50 / p99 | finished | RSS steady / peak / idle after (MiB) | heap steady / peak (MiB) | CPU s | API requests/s by verb | the operator's writes per release per step | PromQL queries/s |
                |---|---|---|---|---|---|---|---|---|---|---|---|
                """);
        for (Result r : runs) {
            out.append("| %s | %s | %s / %s / %s s | %s / %s s | %s / %s s | %d promoted, %d failed, %d not | %s | %s | %s | %s | %s | %s |\n"
                    .formatted(label(r), r.ranAt(), n(r.stepLateness().p50()), n(r.stepLateness().p99()),
                            n(r.stepLateness().max()), n(r.goodReleaseToPromoted().p50()), n(r.goodReleaseToPromoted().p99()),
                            n(r.badFirstTrafficToFailed().p50()), n(r.badFirstTrafficToFailed().p99()), r.promoted(),
                            r.failed(), r.unfinished(), memory(r, Memory::rssSteady, Memory::rssPeak, Memory::rssIdleAfter),
                            memory(r, Memory::heapSteady, Memory::heapPeak), cpu(r), verbs(r.apiRequestsPerSecondByVerb()),
                            n(r.writesPerReleasePerStep()), n(r.promqlQueriesPerSecond())));
        }
        String ratios = ratios(runs);
        if (!ratios.isEmpty()) {
            out.append("\nFlagger's figures over Ramp's, each N from its Ramp and Flagger rows above (one operator each, the same lab"
                    + " and machine, one contender at a time):\n\n| N | figure | Ramp | Flagger | Flagger ÷ Ramp |\n"
                    + "|---|---|---|---|---|\n").append(ratios);
        }
        return out.toString();
    }

    private static String label(Result r) {
        String who = ScaleBenchmark.FLAGGER.equals(r.contender()) ? "Flagger" : "Ramp";
        return who + ", " + r.rollouts() + (r.shards() > 1 ? " over " + r.shards() + " shards" : "");
    }

    private static String ratios(List<Result> runs) {
        StringBuilder out = new StringBuilder();
        for (Result flagger : runs) {
            if (!ScaleBenchmark.FLAGGER.equals(flagger.contender())) {
                continue;
            }
            Optional<Result> ramp = runs.stream().filter(r -> ScaleBenchmark.RAMP.equals(r.contender())
                    && r.rollouts() == flagger.rollouts() && r.shards() == 1).findFirst();
            if (ramp.isEmpty()) {
                continue;
            }
            Map<String, ToDoubleFunction<Result>> figures = new LinkedHashMap<>();
            figures.put("step lateness p50 (s)", r -> r.stepLateness().p50());
            figures.put("step lateness p99 (s)", r -> r.stepLateness().p99());
            figures.put("good: change → promoted p50 (s)", r -> r.goodReleaseToPromoted().p50());
            figures.put("failing: first traffic → Failed p50 (s)", r -> r.badFirstTrafficToFailed().p50());
            figures.put("failing: first traffic → Failed p99 (s)", r -> r.badFirstTrafficToFailed().p99());
            figures.put("finished", r -> r.promoted() + r.failed());
            figures.put("RSS peak (MiB)", r -> r.memory().rssPeak());
            figures.put("CPU s", ScaleBenchmark.Result::cpuSeconds);
            figures.put("writes per release per step", ScaleBenchmark.Result::writesPerReleasePerStep);
            figures.put("PromQL queries/s", ScaleBenchmark.Result::promqlQueriesPerSecond);
            figures.forEach((name, f) -> out.append("| %d | %s | %s | %s | %s |\n".formatted(flagger.rollouts(), name,
                    n(f.applyAsDouble(ramp.get())), n(f.applyAsDouble(flagger)),
                    ratio(f.applyAsDouble(flagger), f.applyAsDouble(ramp.get())))));
        }
        return out.toString();
    }

    /** {@code flagger / ramp} to one decimal, e.g. {@code 3.4×}; a dash where either is missing or Ramp's is 0. */
    static String ratio(double flagger, double ramp) {
        if (!Double.isFinite(flagger) || !Double.isFinite(ramp) || ramp == 0) {
            return "–";
        }
        return "%.1f×".formatted(flagger / ramp);
    }

    /** A figure, or a dash where it was not measured (NaN: no value, or Flagger's heap). */
    static String n(double value) {
        if (!Double.isFinite(value)) {
            return "–";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e9 ? String.valueOf((long) value)
                : String.valueOf(ScaleBenchmark.round(value));
    }

    /** A memory cell: "a / b / c", or with shards each one's, "shard-0: a / b / c; shard-1: ...". */
    @SafeVarargs
    private static String memory(Result r, ToDoubleFunction<Memory>... figures) {
        if (r.perShard().isEmpty()) {
            return figures(r.memory(), figures);
        }
        return r.perShard().stream().map(s -> s.name() + ": " + figures(s.memory(), figures)).collect(Collectors.joining("; "));
    }

    private static String figures(Memory memory, ToDoubleFunction<Memory>[] figures) {
        List<Double> values = Arrays.stream(figures).map(f -> f.applyAsDouble(memory)).toList();
        return values.stream().allMatch(v -> !Double.isFinite(v)) ? "–"
                : values.stream().map(ScaleTable::n).collect(Collectors.joining(" / "));
    }

    private static String cpu(Result r) {
        return r.perShard().isEmpty() ? n(r.cpuSeconds())
                : r.perShard().stream().map(s -> s.name() + ": " + n(s.cpuSeconds())).collect(Collectors.joining("; "));
    }

    /** e.g. {@code PUT 32.3, POST 13.8, PATCH 5.2}: the busiest first. */
    private static String verbs(Map<String, Double> perSecond) {
        return perSecond.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }
}
