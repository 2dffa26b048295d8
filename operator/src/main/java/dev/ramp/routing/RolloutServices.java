package dev.ramp.routing;

import dev.ramp.api.Rollout;
import dev.ramp.kube.Managed;
import dev.ramp.api.BaselineLabels;
import dev.ramp.api.PrimaryLabels;
import dev.ramp.api.RampLabels;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.Strategy;
import dev.ramp.api.ServiceProtocol;
import dev.ramp.api.StatefulSetLabels;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The three Services of a Rollout: {@code svc} and {@code svc-primary} select the primary's pods,
 * {@code svc-canary} the target's. The mesh routes between the last two. While a release runs a
 * baseline ({@link Routing#baseline}), a fourth, {@code svc-baseline}, selects the baseline's pods;
 * it is deleted with the baseline when the release ends (not here: the route must leave it first). Without a mesh
 * ({@code provider: None}) {@code svc} carries the split itself ({@link #apexSelector}). They are derived from
 * the Rollout's spec and the target's selector, compared with the live ones (from the informer's
 * cache) and written only when missing or different, so a deleted or edited Service is repaired
 * and a changed {@code service.port} reaches all three. The port is named {@code grpc} for a gRPC
 * target ({@code protocol: GRPC}; implementations and meshes take the protocol from it), else
 * {@code http}.
 */
public class RolloutServices {

    private final KubernetesClient client;

    public RolloutServices(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Applies each of the three Services (four with a baseline) that {@code live} (the cached ones) lacks or holds
     * otherwise; {@code routing}: where traffic goes now, which only provider None's {@code svc} follows.
     */
    public void reconcile(Rollout rollout, Deployment target, Collection<Service> live, Routing routing) {
        RolloutNames names = RolloutNames.of(rollout);
        Map<String, String> canarySelector = target.getSpec().getSelector().getMatchLabels();
        Map<String, String> primarySelector = PrimaryLabels.of(canarySelector);
        List<Service> wanted = new ArrayList<>(List.of(service(rollout, names.service(), apexSelector(rollout, canarySelector, routing)),
                service(rollout, names.primaryService(), primarySelector),
                service(rollout, names.canaryService(), canarySelector)));
        if (routing.baseline()) {
            wanted.add(service(rollout, names.baselineService(), BaselineLabels.of(canarySelector)));
        }
        applyMissing(wanted, live);
    }

    /**
     * The two Services of a StatefulSet target behind a router (docs/statefulsets.md): its pods share
     * one template, so each side is its pods of one revision, by the label their controller sets:
     * {@code svc-primary} selects the pod selector plus {@code controller-revision-hash:
     * <promoted>}, {@code svc-canary} the same plus {@code <release>}. {@code svc} is the user's
     * own (declared beside the StatefulSet): Ramp writes neither it nor the headless Service.
     */
    public void reconcile(Rollout rollout, StatefulSet target, String promoted, String release, Collection<Service> live) {
        RolloutNames names = RolloutNames.of(rollout);
        Map<String, String> pods = target.getSpec().getSelector().getMatchLabels();
        applyMissing(List.of(service(rollout, names.primaryService(), StatefulSetLabels.selector(pods, promoted)),
                service(rollout, names.canaryService(), StatefulSetLabels.selector(pods, release))), live);
    }

    private void applyMissing(List<Service> wanted, Collection<Service> live) {
        for (Service desired : wanted) {
            Optional<Service> current = live.stream()
                    .filter(s -> s.getMetadata().getName().equals(desired.getMetadata().getName())).findFirst();
            if (current.isEmpty() || !matches(current.get(), desired)) {
                apply(desired);
            }
        }
    }

    /**
     * What {@code svc} selects. Behind a router, the primary's pods: the router sends the canary its
     * share. With provider None the Service is the router: the primary's pods while the canary has
     * no share (before the first step, after a rollback, a blue/green check with no live traffic),
     * the canary's alone once a blue/green release switches to it, and otherwise the pods of both,
     * by the label both carry ({@link RampLabels#SERVICE}), so that kube-proxy gives the canary its
     * share of the ready pods.
     */
    public static Map<String, String> apexSelector(Rollout rollout, Map<String, String> targetSelector, Routing routing) {
        Map<String, String> primary = PrimaryLabels.of(targetSelector);
        if (rollout.getSpec().getService().effectiveProvider() != RoutingProvider.None || routing.weights().canary() <= 0) {
            return primary;
        }
        if (RolloutSpec.effectiveStrategy(rollout.getSpec()) == Strategy.BlueGreen && routing.weights().primary() <= 0) {
            return targetSelector;
        }
        return Map.of(RampLabels.SERVICE, RolloutNames.of(rollout).service());
    }

    private static boolean matches(Service live, Service desired) {
        if (live.getSpec() == null || live.getSpec().getPorts() == null || live.getSpec().getPorts().size() != 1) {
            return false;
        }
        ServicePort port = live.getSpec().getPorts().get(0);
        ServicePort want = desired.getSpec().getPorts().get(0);
        return Objects.equals(live.getSpec().getSelector(), desired.getSpec().getSelector())
                && Objects.equals(port.getName(), want.getName()) && Objects.equals(port.getPort(), want.getPort())
                && Objects.equals(port.getTargetPort(), want.getTargetPort());
    }

    private Service service(Rollout rollout, String name, Map<String, String> selector) {
        var spec = rollout.getSpec().getService();
        int targetPort = spec.getTargetPort() != null ? spec.getTargetPort() : spec.getPort();
        return new ServiceBuilder()
                .withMetadata(Managed.metadata(rollout, name, Map.of("app.kubernetes.io/name", name)))
                .withNewSpec()
                .withSelector(selector)
                .addNewPort().withName(spec.effectiveProtocol() == ServiceProtocol.GRPC ? "grpc" : "http")
                .withPort(spec.getPort()).withTargetPort(new IntOrString(targetPort))
                .withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    private void apply(Service service) {
        client.resource(service).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
    }
}
