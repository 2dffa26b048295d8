package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;

/**
 * The endpoints of the cluster lab, where the kubelet runs real containers: the Pods the
 * kubelet reports Ready (its readiness probes passed), at their IPs on the Pods' bridge. A Pod
 * being deleted is no endpoint, even while it still answers, as an EndpointSlice marks it not
 * ready and a mesh's proxies drop it: it keeps serving only for what was already on its way.
 */
final class ReadyPods implements Endpoints, AutoCloseable {

    private final KubernetesClient client;
    private volatile SharedIndexInformer<Pod> pods;

    ReadyPods(KubernetesClient client) {
        this.client = client;
        pods = client.pods().inAnyNamespace().inform();
    }

    /** Whether its informer watches the API server. */
    boolean watching() {
        return pods.isWatching();
    }

    /** Lists and watches afresh (the lab's outage benchmark). */
    void reinform() {
        SharedIndexInformer<Pod> old = pods;
        pods = client.pods().inAnyNamespace().inform();
        old.close();
    }

    @Override
    public List<Pod> endpoints(String namespace, Map<String, String> selector) {
        return pods.getStore().list().stream()
                .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && PodRunner.ready(p)
                        && p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getMetadata().getLabels() != null
                        && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
    }

    @Override
    public void close() {
        pods.close();
    }
}
