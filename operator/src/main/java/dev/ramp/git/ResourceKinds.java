package dev.ramp.git;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the API server serves, asked once per apiVersion for the length of one sync: the plural
 * and scope of each kind a manifest names. A kind the server does not serve is the manifest's
 * fault and is reported as such.
 */
public class ResourceKinds {

    private final KubernetesClient client;
    private final Map<String, Optional<APIResourceList>> served = new HashMap<>();

    public ResourceKinds(KubernetesClient client) {
        this.client = client;
    }

    public ResourceDefinitionContext of(String apiVersion, String kind) throws GitSourceException {
        APIResourceList list = served.computeIfAbsent(apiVersion, this::discover).orElse(null);
        if (list != null) {
            for (APIResource resource : list.getResources()) {
                if (kind.equals(resource.getKind()) && !resource.getName().contains("/")) {
                    int slash = apiVersion.indexOf('/');
                    return new ResourceDefinitionContext.Builder()
                            .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                            .withVersion(slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
                            .withKind(kind)
                            .withPlural(resource.getName())
                            .withNamespaced(Boolean.TRUE.equals(resource.getNamespaced()))
                            .build();
                }
            }
        }
        throw GitSourceException.userError("UnknownKind", "the API server does not serve kind " + kind
                + " in apiVersion " + apiVersion);
    }

    private Optional<APIResourceList> discover(String apiVersion) {
        try {
            return Optional.ofNullable(client.getApiResources(apiVersion));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
