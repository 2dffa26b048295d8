package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * What the scale benchmark ({@link ScaleBenchmark}) puts on its lab: N targets named
 * {@code app-<i>}, {@value #PER_NAMESPACE} a namespace, each with a Rollout (or Flagger's Canary)
 * of the same analysis (interval {@value #INTERVAL_SECONDS}s, three steps, one built-in metric),
 * the fake nodes their Pods need, and the shards' split of the namespaces.
 */
final class ScaleFleet {

    static final int PER_NAMESPACE = 50;
    static final int INTERVAL_SECONDS = 10;
    static final List<Integer> STEPS = List.of(10, 20, 30);
    /** The version a good release changes its target to (the failing one is {@link FleetTelemetry#FAILING_TAG}). */
    static final String GOOD = "2.0.0";
    /** Pods a fake node takes (kwok's nodes report room for 110). */
    private static final int PODS_PER_NODE = 100;

    private ScaleFleet() {
    }

    /** How many namespaces N Rollouts take. */
    static int namespaces(int n) {
        return (n + PER_NAMESPACE - 1) / PER_NAMESPACE;
    }

    /** The namespaces shard {@code k} of {@code shards} reconciles: every shards-th, from the k-th. */
    static List<String> shardNamespaces(int n, int shards, int k) {
        List<String> names = new ArrayList<>();
        for (int ns = k; ns < namespaces(n); ns += shards) {
            names.add(namespace(ns * PER_NAMESPACE));
        }
        return names;
    }

    /** Runs {@code work} for 0..n-1 on 8 threads (the API server's writes are the bottleneck, not the client). */
    static void parallel(int n, IntConsumer work) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            pool.execute(() -> {
                try {
                    work.accept(index);
                } catch (RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.MINUTES) || !failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " of " + n + " writes failed"
                    + (failures.isEmpty() ? " (timed out)" : ": " + failures.get(0)), failures.isEmpty() ? null : failures.get(0));
        }
    }

    /**
     * Fake nodes beside the lab's own, kwok-managed, so that the scheduler finds room for the primary
     * and the canary of each of N targets.
     */
    static void addNodes(KubernetesClient client, int n) {
        int count = 2 * n / PODS_PER_NODE + 1;
        for (int i = 1; i < count; i++) {
            String name = "scale-node-" + i;
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                    .addToAnnotations("kwok.x-k8s.io/node", "fake").addToLabels("kubernetes.io/hostname", name)
                    .addToLabels("type", "kwok").endMetadata().build()).serverSideApply();
        }
    }

    static String namespace(int i) {
        return "scale-" + (i / PER_NAMESPACE);
    }

    static String name(int i) {
        return "app-" + i;
    }

    static Deployment deployment(String name, String version) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("ramp.dev/demo:" + version)
                .addNewPort().withContainerPort(9898).endPort().endContainer().endSpec().endTemplate().endSpec().build();
    }

    static String rollout(String namespace, String name) {
        return """
                apiVersion: ramp.dev/v1alpha1
                kind: Rollout
                metadata: {name: %s, namespace: %s}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
                  strategy: Canary
                  service: {port: 9898}
                  analysis:
                    interval: %ds
                    threshold: 2
                    stepWeights: %s
                    metrics:
                      - name: request-success-rate
                        thresholdRange: {min: 99}
                """.formatted(name, namespace, name, INTERVAL_SECONDS, STEPS);
    }

    /** Flagger's Canary with the Rollout's analysis: the metric's window is Ramp's (the interval). */
    static String canary(String namespace, String name) {
        return """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: %s, namespace: %s}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
                  service: {port: 9898}
                  analysis:
                    interval: %ds
                    threshold: 2
                    stepWeights: %s
                    metrics:
                      - name: request-success-rate
                        thresholdRange: {min: 99}
                        interval: %ds
                """.formatted(name, namespace, name, INTERVAL_SECONDS, STEPS, INTERVAL_SECONDS);
    }
}
