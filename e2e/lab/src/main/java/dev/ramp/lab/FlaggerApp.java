package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The demo app released by Flagger, in a namespace of its own: the same Deployment as Ramp's copy
 * ({@link Manifests#deployment}), a Flagger Canary with the analysis of {@link Settings}, and a
 * Flagger MetricTemplate with the query of Ramp's error-percent (without the revision label,
 * which Flagger's templates do not offer). A release applies the new Deployment, as
 * {@code kubectl apply} or a GitOps sync would.
 */
final class FlaggerApp implements Contender, AutoCloseable {

    /**
     * A Canary's analysis: the interval (Flagger's shortest is 10 s), the threshold, and the window
     * of each metric; steps 10% up to 50%, and the thresholds of Ramp's lab Rollout.
     */
    record Settings(String interval, int threshold, String window) {
    }

    private final Lab lab;
    private final String namespace;
    private final Settings settings;
    private LoadGenerator load;

    FlaggerApp(Lab lab, String namespace, Settings settings) {
        this.lab = lab;
        this.namespace = namespace;
        this.settings = settings;
    }

    /** Deploys {@code version}, creates the Canary, waits until Flagger initialised it; then the users start. */
    FlaggerApp bootstrap(String version, int perSecond) throws Exception {
        lab.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).serverSideApply();
        apply(Manifests.deployment(version, 0, 20));
        apply(metricTemplate());
        apply(canary());
        Net.await("Canary " + namespace + "/podinfo Initialized", Duration.ofSeconds(180),
                () -> "Initialized".equals(phase()));
        load = new LoadGenerator(lab.proxyAddress(), "podinfo", namespace, perSecond);
        Net.await("the Flagger app's telemetry in Prometheus", Duration.ofSeconds(120), () -> lab.prometheus().query(
                "sum(rate(istio_requests_total{destination_workload_namespace=\"" + namespace
                        + "\",destination_workload=\"podinfo-primary\"}[5s]))") != null);
        return this;
    }

    private void apply(String yaml) {
        lab.client().resource(yaml).inNamespace(namespace).fieldManager("lab").forceConflicts().serverSideApply();
    }

    String canary() {
        return """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata:
                  name: podinfo
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
                  progressDeadlineSeconds: 60
                  service: {port: 9898}
                  analysis:
                    interval: %1$s
                    threshold: %2$d
                    stepWeight: 10
                    maxWeight: 50
                    metrics:
                      - name: request-success-rate
                        thresholdRange: {min: 99}
                        interval: %3$s
                      - name: request-duration
                        thresholdRange: {max: 500}
                        interval: %3$s
                      - name: error-percent
                        templateRef: {name: error-percent}
                        thresholdRange: {max: 1}
                        interval: %3$s
                """.formatted(settings.interval(), settings.threshold(), settings.window());
    }

    private String metricTemplate() {
        String selector = "reporter=\"destination\",destination_workload_namespace=\"{{ namespace }}\","
                + "destination_workload=\"{{ target }}\"";
        return """
                apiVersion: flagger.app/v1beta1
                kind: MetricTemplate
                metadata:
                  name: error-percent
                spec:
                  provider: {type: prometheus, address: "%s"}
                  query: |
                """.formatted(lab.prometheusAddress()) + Manifests.errorPercentQuery(selector).indent(4);
    }

    @Override
    public String operator() {
        return "flagger";
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public LoadGenerator load() {
        return load;
    }

    @Override
    public Callable<Instant> prepare(String version, double errorRate) {
        String deployment = Manifests.deployment(version, errorRate, 20);
        return () -> {
            Instant at = Instant.now();
            apply(deployment);
            return at;
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public String phase() {
        GenericKubernetesResource canary = lab.client().genericKubernetesResources("flagger.app/v1beta1", "Canary")
                .inNamespace(namespace).withName("podinfo").get();
        Object status = canary == null ? null : canary.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (String) ((Map<String, Object>) m).get("phase") : null;
    }

    @Override
    public int canaryWeight() {
        return lab.canaryWeight(namespace);
    }

    @Override
    public void close() {
        if (load != null) {
            load.close();
        }
    }
}
