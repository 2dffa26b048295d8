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
 * The operator's own metrics per Rollout: ramp_rollout_weight, ramp_rollout_phase (1 for the
 * current phase, 0 for the others) and ramp_rollout_duration_seconds of finished releases.
 */
public class RolloutMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();

    public RolloutMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void observe(String namespace, String name, Phase phase, Integer weight) {
        gauge("ramp_rollout_weight", Tags.of("namespace", namespace, "name", name)).set(weight == null ? 0 : weight);
        for (Phase p : Phase.values()) {
            gauge("ramp_rollout_phase", Tags.of("namespace", namespace, "name", name, "phase", p.name()))
                    .set(p == phase ? 1 : 0);
        }
    }

    public void finished(String namespace, String name, String outcome, Duration took) {
        Timer.builder("ramp_rollout_duration_seconds").description("Duration of finished releases")
                .tags(Tags.of("namespace", namespace, "name", name, "outcome", outcome))
                .register(registry).record(took);
    }

    private AtomicInteger gauge(String metric, Tags tags) {
        return gauges.computeIfAbsent(metric + tags, k -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(metric, value, AtomicInteger::get).tags(tags).register(registry);
            return value;
        });
    }
}
