package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.SyncRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a sync request onto a GitSource ({@value SyncRequest#ANNOTATION}) with a JSON merge
 * patch, which touches nothing else and needs no resourceVersion, so any replica can write it
 * at any time. Also the GitSource controller's update filter: a new request, like a new spec,
 * wakes the leader; its own status writes do not.
 */
public final class SyncRequestAnnotation implements OnUpdateFilter<GitSource> {

    /**
     * Records {@code value} as the GitSource's pending sync request. Throws the client's
     * exception when the API server refuses or does not answer (404 when there is no such GitSource).
     */
    public static void record(KubernetesClient client, String namespace, String name, String value) {
        String patch = Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(SyncRequest.ANNOTATION, value))));
        client.resources(GitSource.class).inNamespace(namespace).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    @Override
    public boolean accept(GitSource updated, GitSource old) {
        return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                || !Objects.equals(SyncRequest.of(updated), SyncRequest.of(old));
    }
}
