package dev.ramp.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the judge's benchmark measured ({@link JudgeBenchmark}), per variant and per way of
 * checking: how many releases were rolled back (for a good release, how often it was failed; for
 * a bad one, how often it was caught), how many of those within the time a threshold-checked
 * release takes to be promoted, and how fast; as {@code docs/judge.json} and the docs' table.
 */
final class JudgeResults {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One release as one contender decided it; a null outcome is a release not decided (or a check that threw). */
    record Release(String variant, String pair, String revision, Instant start, String contender, CheckedRelease.Outcome outcome,
            Duration after, int checks, String why) {

        String describe() {
            return outcome == null ? why : outcome.name().toLowerCase(Locale.ROOT) + " after " + seconds(after) + " s";
        }

        boolean is(CheckedRelease.Outcome o) {
            return outcome == o;
        }
    }

    /** One variant's releases as one contender decided them. */
    record Summary(JudgeVariant variant, JudgeBenchmark.Contender contender, int releases, int rolledBack, int rolledBackWithin,
            int endedInconclusive, int promoted, int undecided, double[] rolledBackInterval, Double rollbackP50, Double rollbackP90,
            Double promotionP50, long onLatency, long onErrors, String example) {
    }

    private final Instant began;
    private final Duration length;
    private final List<Release> releases;
    /** The time a threshold-checked release takes to be promoted: the median over the loose thresholds' promotions. */
    private final double thresholdAnalysisSeconds;

    JudgeResults(Instant began, Duration length, List<Release> releases) {
        this.began = began;
        this.length = length;
        this.releases = releases;
        List<Double> promotions = releases.stream().filter(r -> r.contender().equals("threshold500") && r.is(CheckedRelease.Outcome.PROMOTED))
                .map(r -> seconds(r.after())).toList();
        this.thresholdAnalysisSeconds = promotions.isEmpty() ? 20 : percentile(promotions, 0.5);
    }

    List<Summary> summaries() {
        return JudgeVariant.ALL.stream().flatMap(v -> JudgeBenchmark.CONTENDERS.stream().map(c -> summary(v, c))).toList();
    }

    private Summary summary(JudgeVariant variant, JudgeBenchmark.Contender contender) {
        List<Release> mine = releases.stream().filter(r -> r.variant().equals(variant.name()) && r.contender().equals(contender.name()))
                .toList();
        List<Release> back = mine.stream().filter(r -> r.is(CheckedRelease.Outcome.ROLLED_BACK)).toList();
        List<Double> backTimes = back.stream().map(r -> seconds(r.after())).toList();
        List<Double> promotedTimes = mine.stream().filter(r -> r.is(CheckedRelease.Outcome.PROMOTED)).map(r -> seconds(r.after())).toList();
        int within = (int) backTimes.stream().filter(t -> t <= thresholdAnalysisSeconds).count();
        return new Summary(variant, contender, mine.size(), back.size(), within,
                (int) mine.stream().filter(r -> r.is(CheckedRelease.Outcome.ENDED_INCONCLUSIVE)).count(), promotedTimes.size(),
                (int) mine.stream().filter(r -> r.outcome() == null).count(), wilson(back.size(), mine.size()),
                backTimes.isEmpty() ? null : percentile(backTimes, 0.5), backTimes.isEmpty() ? null : percentile(backTimes, 0.9),
                promotedTimes.isEmpty() ? null : percentile(promotedTimes, 0.5),
                back.stream().filter(r -> r.why() != null && r.why().contains("request-duration")).count(),
                back.stream().filter(r -> r.why() != null && r.why().contains("request-success-rate")).count(),
                back.stream().map(Release::why).filter(Objects::nonNull).findFirst().map(JudgeResults::cut).orElse(null));
    }

    String json() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("run", began.truncatedTo(ChronoUnit.SECONDS).toString());
        root.set("machine", JSON.readTree(Benchmark.machine()));
        root.put("loadAverage", loadAverage());
        ObjectNode settings = root.putObject("settings");
        settings.put("minutes", length.toMinutes());
        settings.put("requestsPerSecondPerSide", JudgeBenchmark.PER_SECOND);
        settings.put("medianLatencyMs", JudgeBenchmark.MEDIAN_MS);
        settings.put("latencySpreadSigma", JudgeBenchmark.SPREAD);
        settings.put("baseErrorRate", JudgeBenchmark.BASE_ERROR_RATE);
        settings.put("scrapeInterval", "1s");
        settings.put("thresholdAnalysisSeconds", thresholdAnalysisSeconds);
        ObjectNode rollouts = settings.putObject("rollouts");
        JudgeBenchmark.CONTENDERS.forEach(c -> rollouts.put(c.name(), Serialization.asYaml(c.rollout("podinfo").getSpec())));
        ArrayNode variants = root.putArray("variants");
        for (JudgeVariant variant : JudgeVariant.ALL) {
            ObjectNode v = variants.addObject();
            v.put("name", variant.name());
            v.put("label", variant.label());
            v.put("latencyFactor", variant.latencyFactor());
            v.put("addedErrorRate", variant.addedErrorRate());
            v.put("good", variant.good());
            ObjectNode by = v.putObject("checkedBy");
            summaries().stream().filter(s -> s.variant() == variant).forEach(s -> {
                ObjectNode c = by.putObject(s.contender().name());
                c.put("label", s.contender().label());
                c.put("releases", s.releases());
                c.put("rolledBack", s.rolledBack());
                c.put("rolledBackRate", rate(s.rolledBack(), s.releases()));
                c.putArray("rolledBackRate95").add(s.rolledBackInterval()[0]).add(s.rolledBackInterval()[1]);
                c.put("rolledBackWithinThresholdAnalysisTime", s.rolledBackWithin());
                c.put("endedInconclusive", s.endedInconclusive());
                c.put("promoted", s.promoted());
                c.put("undecided", s.undecided());
                putSeconds(c, "rollbackSecondsP50", s.rollbackP50());
                putSeconds(c, "rollbackSecondsP90", s.rollbackP90());
                putSeconds(c, "promotionSecondsP50", s.promotionP50());
                c.put("rollbacksNamingRequestDuration", s.onLatency());
                c.put("rollbacksNamingRequestSuccessRate", s.onErrors());
                c.put("exampleRollback", s.example());
            });
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    String table() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("Run ").append(began.truncatedTo(ChronoUnit.SECONDS)).append(" on ").append(Benchmark.machineLine())
                .append("; ").append(length.toMinutes()).append(" minutes, load average at the end ").append(loadAverage())
                .append(". A threshold-checked release is promoted after ").append(seconds(thresholdAnalysisSeconds))
                .append(" s (the median): \"within\" counts the rollbacks by then.\n\n");
        out.append("| release | checked by | releases | rolled back (95% CI) | within ").append(seconds(thresholdAnalysisSeconds))
                .append(" s | ended inconclusive | promoted | rollback after p50 / p90 | promoted after p50 |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Summary s : summaries()) {
            out.append("| ").append(s.variant().label()).append(" | ").append(s.contender().label()).append(" | ").append(s.releases())
                    .append(" | ").append(s.rolledBack()).append(" = ").append(percent(rate(s.rolledBack(), s.releases())))
                    .append(" (").append(percent(s.rolledBackInterval()[0])).append("–").append(percent(s.rolledBackInterval()[1]))
                    .append(") | ").append(s.rolledBackWithin()).append(" | ").append(s.endedInconclusive()).append(" | ")
                    .append(s.promoted()).append(s.undecided() > 0 ? " (" + s.undecided() + " undecided)" : "").append(" | ")
                    .append(s.rollbackP50() == null ? "–" : seconds(s.rollbackP50()) + " / " + seconds(s.rollbackP90()) + " s")
                    .append(" | ").append(s.promotionP50() == null ? "–" : seconds(s.promotionP50()) + " s").append(" |\n");
        }
        return out.toString();
    }

    /** The 95% Wilson score interval of {@code k} in {@code n}: honest bounds on a rate from few releases. */
    static double[] wilson(int k, int n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double z = 1.959964;
        double p = (double) k / n;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
        return new double[] {round(Math.max(0, centre - half)), round(Math.min(1, centre + half))};
    }

    /** The nearest-rank percentile. */
    static double percentile(List<Double> values, double q) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double rate(int k, int n) {
        return n == 0 ? 0 : round((double) k / n);
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    private static double seconds(Duration d) {
        return round(d.toMillis() / 1000.0);
    }

    private static double seconds(double s) {
        return Math.round(s * 10) / 10.0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void putSeconds(ObjectNode node, String field, Double value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static String cut(String why) {
        return why.length() > 400 ? why.substring(0, 400) + "…" : why;
    }

    private static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
