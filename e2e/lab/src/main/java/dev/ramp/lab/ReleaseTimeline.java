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
 *
 * <p>{@link #ofFlaggerCanaries}: the same for Flagger's Canaries, whose status has no time per
 * step or phase (its {@code lastTransitionTime}, in whole seconds, changes with every status
 * write): each step begins when the benchmark saw {@code status.canaryWeight} rise, and each phase
 * when it saw {@code status.phase} take it (the watch's event, stamped on arrival).
 */
final class ReleaseTimeline implements AutoCloseable {

    /** One Rollout's release: step index → when it began, phase → since when. */
    record Release(Map<Integer, Instant> steps, Map<String, Instant> phases) {
    }

    /** Reads one status into its release; answers the phase it is in (null: none yet). */
    @FunctionalInterface
    private interface Reader {
        String read(Map<String, Object> status, Release release, Instant seen, Map<String, Integer> weights, String key);
    }

    private final Map<String, Release> releases = new ConcurrentHashMap<>();
    private final Map<String, String> phaseNow = new ConcurrentHashMap<>();
    /** Flagger's: each Canary's canary weight last seen (0 before the release's first step). */
    private final Map<String, Integer> weights = new ConcurrentHashMap<>();
    private final Reader reader;
    private final SharedIndexInformer<GenericKubernetesResource> informer;

    /** Ramp's Rollouts. */
    ReleaseTimeline(KubernetesClient client) {
        this(client, "ramp.dev/v1alpha1", "Rollout", ReleaseTimeline::rollout);
    }

    /** Flagger's Canaries ({@code flagger.app/v1beta1}). */
    static ReleaseTimeline ofFlaggerCanaries(KubernetesClient client) {
        return new ReleaseTimeline(client, "flagger.app/v1beta1", "Canary", ReleaseTimeline::canary);
    }

    private ReleaseTimeline(KubernetesClient client, String apiVersion, String kind, Reader reader) {
        this.reader = reader;
        informer = client.genericKubernetesResources(apiVersion, kind).inAnyNamespace()
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
        weights.clear();
    }

    @SuppressWarnings("unchecked")
    private void record(GenericKubernetesResource resource) {
        Instant seen = Instant.now();
        Map<String, Object> status = (Map<String, Object>) resource.getAdditionalProperties().get("status");
        if (status == null) {
            return;
        }
        String key = key(resource);
        Release release = releases.computeIfAbsent(key, k -> new Release(new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
        String phase = reader.read(status, release, seen, weights, key);
        if (phase != null) {
            phaseNow.put(key, phase);
        }
    }

    private static String rollout(Map<String, Object> status, Release release, Instant seen, Map<String, Integer> weights,
            String key) {
        String phase = (String) status.get("phase");
        if (phase != null && status.get("phaseSince") instanceof String since) {
            release.phases().putIfAbsent(phase, Instant.parse(since));
        }
        if (status.get("currentStep") instanceof Map<?, ?> step && step.get("index") instanceof Number index
                && step.get("startedAt") instanceof String startedAt) {
            release.steps().putIfAbsent(index.intValue(), Instant.parse(startedAt));
        }
        return phase;
    }

    /** A weight above the last one seen begins the next step: 10, 20, 30 are steps 0, 1, 2. */
    private static String canary(Map<String, Object> status, Release release, Instant seen, Map<String, Integer> weights,
            String key) {
        String phase = (String) status.get("phase");
        if (phase != null) {
            release.phases().putIfAbsent(phase, seen);
        }
        int weight = status.get("canaryWeight") instanceof Number w ? w.intValue() : 0;
        int before = weights.getOrDefault(key, 0);
        if (weight > before) {
            release.steps().putIfAbsent(release.steps().size(), seen);
        }
        weights.put(key, weight);
        return phase;
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
