package dev.ramp.rollout;

import static org.awaitility.Awaitility.await;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.api.ObjectRef;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.ThresholdRange;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A podinfo Deployment and its canary Rollout in one namespace, and what a user can observe of them. */
final class CanaryFixture implements AutoCloseable {

    final KubernetesClient client;
    final String namespace;
    private final List<Integer> weights = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();

    CanaryFixture(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    void createTarget(String image) {
        client.resource(new DeploymentBuilder()
                .withNewMetadata().withName("podinfo").withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewSelector().addToMatchLabels("app", "podinfo").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "podinfo").endMetadata()
                .withNewSpec().addNewContainer().withName("podinfo").withImage(image).addNewPort().withContainerPort(9898)
                .endPort().endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
    }

    void createRollout(List<Integer> stepWeights, String interval, int threshold, String metricWindow) {
        createRollout(stepWeights, interval, threshold, List.of(successRate(metricWindow)));
    }

    void createRollout(List<Integer> stepWeights, String interval, int threshold, List<MetricCheck> metrics) {
        Rollout rollout = TargetNotFoundTest.rollout(namespace, "podinfo", "podinfo");
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setInterval(interval);
        analysis.setThreshold(threshold);
        analysis.setStepWeights(stepWeights);
        analysis.setMetrics(metrics);
        rollout.getSpec().setAnalysis(analysis);
        rollout.getSpec().setProgressDeadlineSeconds(30);
        client.resource(rollout).create();
    }

    /** The built-in success rate check, passing at 99% and above. */
    static MetricCheck successRate(String window) {
        MetricCheck successRate = new MetricCheck();
        successRate.setName("request-success-rate");
        successRate.setThresholdRange(new ThresholdRange(99.0, null));
        successRate.setInterval(window);
        return successRate;
    }

    /** A check on the MetricTemplate {@code template} of this namespace, passing at {@code max} and below. */
    static MetricCheck templated(String name, String template, double max) {
        MetricCheck check = new MetricCheck();
        check.setName(name);
        check.setTemplateRef(new ObjectRef(template, null));
        check.setThresholdRange(new ThresholdRange(null, max));
        return check;
    }

    void createMetricTemplate(String name, String prometheusAddress, String query) {
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        MetricProvider provider = new MetricProvider();
        provider.setAddress(prometheusAddress);
        spec.setProvider(provider);
        spec.setQuery(query);
        template.setSpec(spec);
        client.resource(template).create();
    }

    void release(String image) {
        client.apps().deployments().inNamespace(namespace).withName("podinfo").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().editFirstContainer().withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build());
    }

    Rollout rollout() {
        return client.resources(Rollout.class).inNamespace(namespace).withName("podinfo").get();
    }

    Rollout awaitPhase(Phase phase, Duration within) {
        return await().atMost(within).pollInterval(Duration.ofMillis(200))
                .until(this::rollout, r -> r != null && r.getStatus() != null && r.getStatus().getPhase() == phase);
    }

    Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    String image(String deployment) {
        return deployment(deployment).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    /** The canary's weight in the VirtualService now, or null when there is none. */
    Integer canaryWeight() {
        VirtualService vs = client.resources(VirtualService.class).inNamespace(namespace).withName("podinfo").get();
        if (vs == null) {
            return null;
        }
        return vs.getSpec().getHttp().get(0).getRoute().stream()
                .filter(d -> d.getDestination().getHost().equals("podinfo-canary"))
                .map(HTTPRouteDestination::getWeight).findFirst().orElse(null);
    }

    /** Starts recording each change of the canary's weight, as someone watching the VirtualService would see it. */
    void watchWeights() {
        watcher.scheduleWithFixedDelay(() -> {
            try {
                Integer w = canaryWeight();
                synchronized (weights) {
                    if (w != null && (weights.isEmpty() || !weights.get(weights.size() - 1).equals(w))) {
                        weights.add(w);
                    }
                }
            } catch (RuntimeException e) {
                // the API server was busy; the next poll records it
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    List<Integer> observedWeights() {
        synchronized (weights) {
            return List.copyOf(weights);
        }
    }

    /** The Events recorded on the Rollout with this reason, as {@code kubectl describe} lists them. */
    List<Event> events(String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
