package dev.ramp.rollout;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Classification;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The statistical judge's last verdict per Rollout, as Prometheus scrapes it, read from the
 * recorded status.metrics[] (so it survives a restart of the operator): per compare metric
 * ramp_judge_classification (1 for its class, 0 for the others), ramp_judge_relative_shift,
 * ramp_judge_p_value and ramp_judge_points by side; per Rollout ramp_judge_score. Only the compare
 * metrics its spec still names are exported, and a value status does not have (a relative shift
 * on a median of 0, a score while no metric has data) is no series rather than NaN.
 */
class JudgeMetrics {

    static final String CLASSIFICATION = "ramp_judge_classification";
    static final String RELATIVE_SHIFT = "ramp_judge_relative_shift";
    static final String P_VALUE = "ramp_judge_p_value";
    static final String POINTS = "ramp_judge_points";
    static final String SCORE = "ramp_judge_score";

    /** A gauge's value; Micrometer holds it weakly, so the map below keeps it alive. */
    private static final class Value {
        private volatile double value;
    }

    private record Series(Gauge gauge, Value value) {
    }

    /** One series the last check calls for. */
    private record Wanted(String metric, Tags tags, String description, double value) {
    }

    private final MeterRegistry registry;
    /** Per Rollout ("namespace/name"), its series by metric name and tags. */
    private final Map<String, Map<String, Series>> rollouts = new ConcurrentHashMap<>();

    JudgeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Sets the Rollout's series to its last check's comparisons and removes those it no longer has. */
    void observe(String namespace, String name, AnalysisSpec analysis, List<MetricStatus> metrics) {
        Set<String> compared = analysis == null || analysis.getMetrics() == null ? Set.of()
                : analysis.getMetrics().stream().filter(m -> m.getCompare() != null).map(MetricCheck::getName)
                        .collect(Collectors.toSet());
        Map<String, Wanted> wanted = new HashMap<>();
        Tags rollout = Tags.of("namespace", namespace, "name", name);
        for (MetricStatus m : metrics == null ? List.<MetricStatus>of() : metrics) {
            if (!compared.isEmpty() && JudgeSpec.SCORE.equals(m.getName()) && m.getValue() != null) {
                put(wanted, SCORE, rollout, m.getValue(), "The statistical judge's score at the Rollout's last check, 0-100");
            }
            MetricComparison c = m.getComparison();
            if (c == null || !compared.contains(m.getName())) {
                continue;
            }
            Tags metric = rollout.and("metric", m.getName());
            for (Classification k : Classification.values()) {
                put(wanted, CLASSIFICATION, metric.and("classification", k.name()), k == c.getClassification() ? 1.0 : 0.0,
                        "1 for the class the judge gave the compare metric at the last check (Pass, High, Low, NoData), 0 for the others");
            }
            put(wanted, RELATIVE_SHIFT, metric, c.getRelativeShift(),
                    "The canary's Hodges-Lehmann shift over the comparison side's median at the last check (0.32 = +32%)");
            put(wanted, P_VALUE, metric, c.getPValue(), "The Mann-Whitney U test's two-sided p-value at the last check");
            String side = c.getComparedWith() == null ? MetricComparison.PRIMARY : c.getComparedWith();
            put(wanted, POINTS, metric.and("side", "canary"), toDouble(c.getCanaryPoints()),
                    "Points of the compare metric in the last check's window, by side");
            put(wanted, POINTS, metric.and("side", side), toDouble(c.getComparisonPoints()),
                    "Points of the compare metric in the last check's window, by side");
        }
        Map<String, Series> series = rollouts.computeIfAbsent(namespace + "/" + name, k -> new ConcurrentHashMap<>());
        series.entrySet().removeIf(e -> {
            boolean gone = !wanted.containsKey(e.getKey());
            if (gone) {
                registry.remove(e.getValue().gauge());
            }
            return gone;
        });
        wanted.forEach((key, w) -> series.computeIfAbsent(key, k -> register(w)).value().value = w.value());
    }

    /** Removes every series of a deleted Rollout. */
    void forget(String namespace, String name) {
        Map<String, Series> series = rollouts.remove(namespace + "/" + name);
        if (series != null) {
            series.values().forEach(s -> registry.remove(s.gauge()));
        }
    }

    private static void put(Map<String, Wanted> wanted, String metric, Tags tags, Double value, String description) {
        if (value != null && !value.isNaN()) {
            wanted.put(metric + tags, new Wanted(metric, tags, description, value));
        }
    }

    private Series register(Wanted w) {
        Value value = new Value();
        Gauge gauge = Gauge.builder(w.metric(), value, v -> v.value).description(w.description()).tags(w.tags()).register(registry);
        return new Series(gauge, value);
    }

    private static Double toDouble(Integer i) {
        return i == null ? null : i.doubleValue();
    }
}
