package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every Rollout's release as its status recorded it, watched (one informer, no polling): when each
 * traffic step began ({@code status.currentStep.startedAt}, the operator's own clock) and when the
 * release reached each phase ({@code status.phaseSince}). From these the scale benchmark computes
 * how late each step was and how long each release took, as the operator itself timed them.
 */
final class ReleaseTimeline implements AutoCloseable {

    /** One Rollout's release: step index → when it began, phase → since when. */
    record Release(Map<Integer, Instant> steps, Map<String, Instant> phases) {
    }

    private final Map<String, Release> releases = new ConcurrentHashMap<>();
    private final Map<String, String> phaseNow = new ConcurrentHashMap<>();
    private final SharedIndexInformer<GenericKubernetesResource> informer;

    ReleaseTimeline(KubernetesClient client) {
        informer = client.genericKubernetesResources("ramp.dev/v1alpha1", "Rollout").inAnyNamespace()
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource rollout) {
                        record(rollout);
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource rollout) {
                        record(rollout);
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource rollout, boolean unknown) {
                        phaseNow.remove(key(rollout));
                    }
                });
    }

    /** Forgets what was recorded: what follows belongs to the release about to start. */
    void reset() {
        releases.clear();
    }

    @SuppressWarnings("unchecked")
    private void record(GenericKubernetesResource rollout) {
        Map<String, Object> status = (Map<String, Object>) rollout.getAdditionalProperties().get("status");
        if (status == null) {
            return;
        }
        String key = key(rollout);
        String phase = (String) status.get("phase");
        if (phase != null) {
            phaseNow.put(key, phase);
        }
        Release release = releases.computeIfAbsent(key, k -> new Release(new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
        if (phase != null && status.get("phaseSince") instanceof String since) {
            release.phases().putIfAbsent(phase, Instant.parse(since));
        }
        if (status.get("currentStep") instanceof Map<?, ?> step && step.get("index") instanceof Number index
                && step.get("startedAt") instanceof String startedAt) {
            release.steps().putIfAbsent(index.intValue(), Instant.parse(startedAt));
        }
    }

    private static String key(GenericKubernetesResource rollout) {
        return rollout.getMetadata().getNamespace() + "/" + rollout.getMetadata().getName();
    }

    /** How many Rollouts are in {@code phase} now. */
    long count(String phase) {
        return phaseNow.values().stream().filter(phase::equals).count();
    }

    long count(Collection<String> phases) {
        return phaseNow.values().stream().filter(phases::contains).count();
    }

    Release of(String namespace, String name) {
        return releases.getOrDefault(namespace + "/" + name, new Release(Map.of(), Map.of()));
    }

    /**
     * How late each step ended, in seconds: the next step's start (or for the last step, the
     * promotion's) minus the step's start minus {@code interval}, the time a step is held. A
     * release's steps only; one still under way contributes the steps it finished.
     */
    static List<Double> stepLateness(Release release, Duration interval) {
        List<Double> late = new ArrayList<>();
        TreeMap<Integer, Instant> steps = new TreeMap<>(release.steps());
        for (var step : steps.entrySet()) {
            Instant next = steps.higherKey(step.getKey()) != null ? steps.get(steps.higherKey(step.getKey()))
                    : release.phases().get("Promoting");
            if (next != null) {
                late.add(seconds(step.getValue(), next) - interval.toMillis() / 1e3);
            }
        }
        return late;
    }

    static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1e3;
    }

    @Override
    public void close() {
        informer.close();
    }
}
