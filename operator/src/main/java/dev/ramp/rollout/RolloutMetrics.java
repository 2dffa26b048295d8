package dev.ramp.rollout;

import dev.ramp.api.Phase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's own metrics per Rollout, as Prometheus scrapes them: ramp_rollout_weight,
 * ramp_rollout_phase (1 for the current phase, 0 for the others) and
 * ramp_rollout_duration_seconds of finished releases, by outcome, and
 * ramp_rollback_route_seconds: from the start of the pass that decided a rollback (its checks
 * included) to the route that sends all traffic to the primary being written.
 */
public class RolloutMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();

    public RolloutMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void observe(String namespace, String name, Phase phase, Integer weight) {
        gauge("ramp_rollout_weight", "Percent of traffic the canary receives",
                Tags.of("namespace", namespace, "name", name)).set(weight == null ? 0 : weight);
        for (Phase p : Phase.values()) {
            gauge("ramp_rollout_phase", "1 for the Rollout's current phase, 0 for the others",
                    Tags.of("namespace", namespace, "name", name, "phase", p.name())).set(p == phase ? 1 : 0);
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

    private AtomicInteger gauge(String metric, String description, Tags tags) {
        // Micrometer holds a gauge's value weakly; this map keeps it alive.
        return gauges.computeIfAbsent(metric + tags, k -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(metric, value, AtomicInteger::get).description(description).tags(tags).register(registry);
            return value;
        });
    }
}
