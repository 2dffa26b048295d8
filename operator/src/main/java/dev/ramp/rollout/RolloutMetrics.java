package dev.ramp.rollout;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's own metrics per Rollout, as Prometheus scrapes them: ramp_rollout_weight,
 * ramp_rollout_phase (1 for the current phase, 0 for the others) and
 * ramp_rollout_duration_seconds of finished releases, by outcome, and
 * ramp_rollback_route_seconds: from the start of the pass that decided a rollback (its checks
 * included) to the route that sends all traffic to the primary being written; the judge's last
 * verdict per compare metric ({@link JudgeMetrics}). A deleted Rollout's series all go.
 */
public class RolloutMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();
    private final JudgeMetrics judge;

    public RolloutMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.judge = new JudgeMetrics(registry);
    }

    /** The judge's last verdict as status records it, for the compare metrics {@code analysis} still names. */
    public void judged(String namespace, String name, AnalysisSpec analysis, List<MetricStatus> metrics) {
        judge.observe(namespace, name, analysis, metrics);
    }

    /**
     * Removes every series of a deleted Rollout, its metric checks' included ({@code ramp_analysis_*}),
     * so that Prometheus sees no stale weight, phase or verdict.
     */
    public void forget(String namespace, String name) {
        judge.forget(namespace, name);
        gauges.keySet().removeIf(key -> key.startsWith(namespace + "/" + name + "/"));
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            if (id.getName().startsWith("ramp_") && namespace.equals(id.getTag("namespace")) && name.equals(id.getTag("name"))) {
                registry.remove(meter);
            }
        }
    }

    public void observe(String namespace, String name, Phase phase, Integer weight) {
        gauge(namespace, name, "ramp_rollout_weight", "Percent of traffic the canary receives", Tags.empty())
                .set(weight == null ? 0 : weight);
        for (Phase p : Phase.values()) {
            gauge(namespace, name, "ramp_rollout_phase", "1 for the Rollout's current phase, 0 for the others",
                    Tags.of("phase", p.name())).set(p == phase ? 1 : 0);
        }
    }

    public void finished(String namespace, String name, String outcome, Duration took) {
        Timer.builder("ramp_rollout_duration").description("Duration of finished releases")
                .tags(Tags.of("namespace", namespace, "name", name, "outcome", outcome))
                .register(registry).record(took);
    }

    public void routedToPrimary(String namespace, String name, Duration took) {
        Timer.builder("ramp_rollback_route").description("From the start of the pass that decided a rollback to the route's write")
                .tags(Tags.of("namespace", namespace, "name", name))
                .register(registry).record(took);
    }

    private AtomicInteger gauge(String namespace, String name, String metric, String description, Tags more) {
        Tags tags = Tags.of("namespace", namespace, "name", name).and(more);
        // Micrometer holds a gauge's value weakly; this map keeps it alive. Keyed by Rollout first, for forget.
        return gauges.computeIfAbsent(namespace + "/" + name + "/" + metric + tags, k -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(metric, value, AtomicInteger::get).description(description).tags(tags).register(registry);
            return value;
        });
    }
}
