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
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A podinfo Deployment and its canary Rollout in one namespace, and what a user can observe of them. */
final class CanaryFixture implements AutoCloseable {

    final KubernetesClient client;
    final String namespace;
    private final List<Integer> weights = Collections.synchronizedList(new ArrayList<>());
    private final List<String> routes = new ArrayList<>();
    private Watch watch;
    private Integer minRequests;
    private Integer inconclusiveLimit;
    private dev.ramp.api.AutoscalerRef autoscalerRef;

    final FakeKubelet kubelet;

    CanaryFixture(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.kubelet = new FakeKubelet(client, namespace);
    }

    /** A fresh namespace whose Deployments a {@link FakeKubelet} reports ready. */
    static CanaryFixture inNewNamespace(KubernetesClient client, String prefix) {
        return new CanaryFixture(client, TestCluster.get().newNamespace(prefix));
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

    private void sample(AnalysisSpec analysis) {
        if (minRequests != null) {
            analysis.setMinRequests(minRequests);
        }
        if (inconclusiveLimit != null) {
            analysis.setInconclusiveLimit(inconclusiveLimit);
        }
    }

    /** Sets analysis.minRequests and analysis.inconclusiveLimit of the Rollouts created after it (null: the defaults). */
    CanaryFixture withSample(Integer minRequests, Integer inconclusiveLimit) {
        this.minRequests = minRequests;
        this.inconclusiveLimit = inconclusiveLimit;
        return this;
    }

    /** Sets spec.autoscalerRef of the Rollouts created after it (null: none). */
    CanaryFixture withAutoscaler(dev.ramp.api.AutoscalerRef ref) {
        this.autoscalerRef = ref;
        return this;
    }

    void createRollout(List<Integer> stepWeights, String interval, int threshold, List<MetricCheck> metrics) {
        Rollout rollout = TargetNotFoundTest.rollout(namespace, "podinfo", "podinfo");
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setInterval(interval);
        analysis.setThreshold(threshold);
        sample(analysis);
        analysis.setStepWeights(stepWeights);
        analysis.setMetrics(metrics);
        rollout.getSpec().setAnalysis(analysis);
        rollout.getSpec().setProgressDeadlineSeconds(30);
        rollout.getSpec().setAutoscalerRef(autoscalerRef);
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

    /** Changes the target's image, as a user or a Git sync would; a write that conflicts is retried. */
    void release(String image) {
        release(client, namespace, "podinfo", image);
    }

    /**
     * Gives Deployment {@code namespace/name} a new image, as a user's edit would. The operator
     * (scaling the target) and the fake kubelet (reporting its status) write the same Deployment;
     * the edit carries the resourceVersion it read, so it may lose a race and is made again.
     */
    static void release(KubernetesClient client, String namespace, String name, String image) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                client.apps().deployments().inNamespace(namespace).withName(name).edit(d -> new DeploymentBuilder(d)
                        .editSpec().editTemplate().editSpec().editFirstContainer().withImage(image).endContainer().endSpec()
                        .endTemplate().endSpec().build());
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Changes the Rollout's spec as a user would, again when a status write of the operator won the race. */
    void editRollout(java.util.function.Consumer<Rollout> change) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                client.resources(Rollout.class).inNamespace(namespace).withName("podinfo").edit(r -> {
                    change.accept(r);
                    return r;
                });
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return false;
                }
                throw e;
            }
        });
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
        return weightOf(client.resources(VirtualService.class).inNamespace(namespace).withName("podinfo").get());
    }

    private static Integer weightOf(VirtualService vs) {
        if (vs == null) {
            return null;
        }
        return vs.getSpec().getHttp().stream().filter(r -> "primary".equals(r.getName())).findFirst().orElseThrow()
                .getRoute().stream()
                .filter(d -> d.getDestination().getHost().equals("podinfo-canary"))
                .map(HTTPRouteDestination::getWeight).findFirst().orElse(null);
    }

    /**
     * The VirtualService's routes in short: {@code primary/canary} weights of the default route,
     * {@code +mirror} when it mirrors to the canary, and {@code match->canary,} before it when an
     * A/B route comes first.
     */
    static String routesOf(VirtualService vs) {
        StringBuilder out = new StringBuilder();
        for (var route : vs.getSpec().getHttp()) {
            if (route.getMatch() != null && !route.getMatch().isEmpty()) {
                out.append("match->").append(route.getRoute().get(0).getDestination().getHost().replace("podinfo-", ""))
                        .append(',');
                continue;
            }
            int primary = 0;
            int canary = 0;
            for (HTTPRouteDestination d : route.getRoute()) {
                if (d.getDestination().getHost().equals("podinfo-canary")) {
                    canary = d.getWeight();
                } else {
                    primary = d.getWeight();
                }
            }
            out.append(primary).append('/').append(canary);
            if (route.getMirror() != null) {
                out.append("+mirror");
            }
        }
        return out.toString();
    }

    VirtualService virtualService() {
        return client.resources(VirtualService.class).inNamespace(namespace).withName("podinfo").get();
    }

    /** Creates the usual test Rollout, changed by {@code customize} first. */
    void createRollout(java.util.function.Consumer<Rollout> customize) {
        Rollout rollout = TargetNotFoundTest.rollout(namespace, "podinfo", "podinfo");
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setInterval("1s");
        analysis.setThreshold(2);
        analysis.setMetrics(List.of(successRate("5s")));
        sample(analysis);
        rollout.getSpec().setAnalysis(analysis);
        rollout.getSpec().setProgressDeadlineSeconds(30);
        customize.accept(rollout);
        client.resource(rollout).create();
    }

    /**
     * Starts recording each change of the canary's weight, as someone watching the VirtualService
     * would see it. A watch from the current resourceVersion delivers every write in order, so a
     * weight that lasts a few milliseconds is seen too, however busy the machine.
     */
    void watchWeights() {
        VirtualService now = client.resources(VirtualService.class).inNamespace(namespace).withName("podinfo").get();
        record(weightOf(now));
        recordRoutes(routesOf(now));
        watch = client.resources(VirtualService.class).inNamespace(namespace).watch(new ListOptionsBuilder()
                .withResourceVersion(now.getMetadata().getResourceVersion()).build(), new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, VirtualService vs) {
                        if (action != Action.DELETED && "podinfo".equals(vs.getMetadata().getName())) {
                            record(weightOf(vs));
                            recordRoutes(routesOf(vs));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        // the test is over, or the API server went away
                    }
                });
    }

    private void record(Integer weight) {
        synchronized (weights) {
            if (weight != null && (weights.isEmpty() || !weights.get(weights.size() - 1).equals(weight))) {
                weights.add(weight);
            }
        }
    }

    private void recordRoutes(String description) {
        synchronized (routes) {
            if (routes.isEmpty() || !routes.get(routes.size() - 1).equals(description)) {
                routes.add(description);
            }
        }
    }

    /** Each distinct routing the VirtualService went through, in order (see {@link #routesOf}). */
    List<String> observedRoutes() {
        synchronized (routes) {
            return List.copyOf(routes);
        }
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
        kubelet.close();
        if (watch != null) {
            watch.close();
        }
    }
}
