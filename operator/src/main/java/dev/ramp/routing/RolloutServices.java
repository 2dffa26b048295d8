package dev.ramp.routing;

import dev.ramp.api.Rollout;
import dev.ramp.kube.Managed;
import dev.ramp.rollout.PrimaryLabels;
import dev.ramp.rollout.RolloutNames;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/**
 * The three Services of a Rollout: {@code svc} and {@code svc-primary} select the primary's pods,
 * {@code svc-canary} the target's. The mesh routes between the last two.
 */
public class RolloutServices {

    private final KubernetesClient client;

    public RolloutServices(KubernetesClient client) {
        this.client = client;
    }

    public void reconcile(Rollout rollout, Deployment target) {
        RolloutNames names = RolloutNames.of(rollout);
        Map<String, String> canarySelector = target.getSpec().getSelector().getMatchLabels();
        Map<String, String> primarySelector = PrimaryLabels.of(canarySelector);
        apply(service(rollout, names.service(), primarySelector));
        apply(service(rollout, names.primaryService(), primarySelector));
        apply(service(rollout, names.canaryService(), canarySelector));
    }

    private Service service(Rollout rollout, String name, Map<String, String> selector) {
        var spec = rollout.getSpec().getService();
        int targetPort = spec.getTargetPort() != null ? spec.getTargetPort() : spec.getPort();
        return new ServiceBuilder()
                .withMetadata(Managed.metadata(rollout, name, Map.of("app.kubernetes.io/name", name)))
                .withNewSpec()
                .withSelector(selector)
                .addNewPort().withName("http").withPort(spec.getPort()).withTargetPort(new IntOrString(targetPort))
                .withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    private void apply(Service service) {
        client.resource(service).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
    }
}
