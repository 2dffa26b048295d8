package dev.ramp.testing;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the Deployment controller and the kubelet, which this test cluster lacks: every
 * 200 ms it reports each Deployment of one namespace as fully rolled out and ready, except the
 * ones a test holds back (a canary that never becomes ready).
 */
public class FakeKubelet implements AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    public FakeKubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        timer.scheduleWithFixedDelay(this::tick, 0, 200, TimeUnit.MILLISECONDS);
    }

    public void hold(String deployment) {
        held.add(deployment);
    }

    /** Lets a held Deployment become ready again. */
    public void release(String deployment) {
        held.remove(deployment);
    }

    private void tick() {
        try {
            for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
                if (held.contains(d.getMetadata().getName()) || isReported(d)) {
                    continue;
                }
                int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
                        .withAvailableReplicas(replicas).build());
                client.resource(d).updateStatus();
            }
        } catch (KubernetesClientException e) {
            // a conflict with a concurrent write; the next tick reports again
        }
    }

    private static boolean isReported(Deployment d) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        return d.getStatus() != null && d.getStatus().getObservedGeneration() != null
                && d.getStatus().getObservedGeneration().equals(d.getMetadata().getGeneration())
                && (d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas()) == replicas;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
