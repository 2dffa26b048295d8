package dev.ramp.rollout;

import dev.ramp.api.BaselineLabels;
import dev.ramp.api.PrimaryLabels;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.TemplateHash;
import dev.ramp.autoscaling.CanaryScaledObjects;
import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the Deployments of a Rollout: the target (the canary during a release), the primary, and
 * the baseline of a release with {@code analysis.baseline}.
 * Each write is made only when the Deployment (as last observed) differs from what is asked.
 */
public class Workloads {

    private final KubernetesClient client;
    private final CanaryScaledObjects scaledObjects;

    public Workloads(KubernetesClient client) {
        this.client = client;
        this.scaledObjects = new CanaryScaledObjects(client);
    }

    /**
     * Makes the primary run the target's pod template, creating the primary if need be. The
     * template must be the analysed one: its hash must be {@code revision}, or nothing is applied,
     * so a template that changed since the analysis never reaches the primary.
     *
     * @return whether the primary was given the template
     */
    public boolean applyPrimary(Rollout rollout, Deployment target, Optional<Deployment> primary, String revision) {
        if (!revision.equals(TemplateHash.of(target.getSpec().getTemplate()))) {
            return false;
        }
        RolloutNames names = RolloutNames.of(rollout);
        Map<String, String> selector = target.getSpec().getSelector().getMatchLabels();
        Map<String, String> labels = new LinkedHashMap<>(PrimaryLabels.podLabels(target.getSpec().getTemplate().getMetadata().getLabels(),
                selector));
        labels.remove(RampLabels.SERVICE);
        labels.putAll(revisionLabels(revision));
        labels.putAll(serviceLabel(rollout));
        PodTemplateSpec template = new PodTemplateSpecBuilder(target.getSpec().getTemplate())
                .editOrNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .build();
        if (primary.isPresent() && template.equals(primary.get().getSpec().getTemplate())
                && PrimaryLabels.of(selector).equals(primary.get().getSpec().getSelector().getMatchLabels())) {
            return true;
        }
        Optional<Integer> replicas = ReplicaCounts.primary(rollout, target, primary);
        if (replicas.isEmpty()) {
            // An autoscaler owns the primary's size: a patch of the template alone, so that the
            // request carries no replicas at all (an apply would have to name a count read earlier).
            client.apps().deployments().inNamespace(rollout.getMetadata().getNamespace()).withName(names.primary())
                    .edit(d -> new DeploymentBuilder(d).editSpec().withTemplate(template).endSpec().build());
            return true;
        }
        Deployment desired = new DeploymentBuilder()
                .withMetadata(Managed.metadata(rollout, names.primary(), Map.of("app.kubernetes.io/name", names.primary())))
                .withNewSpec()
                .withReplicas(replicas.get())
                .withSelector(new LabelSelectorBuilder().withMatchLabels(PrimaryLabels.of(selector)).build())
                .withTemplate(template)
                .endSpec()
                .build();
        client.resource(desired).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
        return true;
    }

    /**
     * Runs the baseline: the primary's pod template, which must be of {@code promoted} (else nothing
     * is applied: the primary is being promoted, or is not there), as the Deployment
     * {@code <target>-baseline} with its own selector ({@link BaselineLabels}) and the canary's size
     * ({@link ReplicaCounts#baseline}). Its pods keep the promoted revision's labels, so the mesh
     * reports them as the workload {@code <target>-baseline} of that revision.
     */
    public void runBaseline(Rollout rollout, Deployment target, Optional<Deployment> primary, Optional<Deployment> baseline,
            String promoted) {
        if (primary.isEmpty() || promoted == null || !promoted.equals(revisionOf(primary.get()))) {
            return;
        }
        RolloutNames names = RolloutNames.of(rollout);
        Map<String, String> selector = BaselineLabels.of(target.getSpec().getSelector().getMatchLabels());
        PodTemplateSpec template = new PodTemplateSpecBuilder(primary.get().getSpec().getTemplate())
                .editOrNewMetadata()
                .withLabels(BaselineLabels.podLabels(primary.get().getSpec().getTemplate().getMetadata().getLabels(),
                        target.getSpec().getSelector().getMatchLabels()))
                .endMetadata()
                .build();
        int replicas = ReplicaCounts.baseline(rollout, target, primary);
        if (baseline.isPresent() && template.equals(baseline.get().getSpec().getTemplate())
                && Integer.valueOf(replicas).equals(baseline.get().getSpec().getReplicas())
                && selector.equals(baseline.get().getSpec().getSelector().getMatchLabels())) {
            return;
        }
        Deployment desired = new DeploymentBuilder()
                .withMetadata(Managed.metadata(rollout, names.baseline(), Map.of("app.kubernetes.io/name", names.baseline())))
                .withNewSpec()
                .withReplicas(replicas)
                .withSelector(new LabelSelectorBuilder().withMatchLabels(selector).build())
                .withTemplate(template)
                .endSpec()
                .build();
        client.resource(desired).fieldManager(Managed.FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    /** Deletes the baseline Deployment and its Service; nothing when they are gone already. */
    public void deleteBaseline(Rollout rollout) {
        RolloutNames names = RolloutNames.of(rollout);
        String namespace = rollout.getMetadata().getNamespace();
        client.services().inNamespace(namespace).withName(names.baselineService()).delete();
        client.apps().deployments().inNamespace(namespace).withName(names.baseline()).delete();
    }

    /**
     * Whether the target runs as the canary of {@code revision}: ready, and its pods labelled with
     * the revision, so that every request the checks count is one of that revision's.
     */
    public static boolean runs(Deployment target, String revision) {
        return isReady(target) && revision != null && revision.equals(revisionOf(target));
    }

    /** The revision a Deployment's pods run, from the label Ramp puts on its template; null when it has none. */
    public static String revisionOf(Deployment deployment) {
        var metadata = deployment.getSpec().getTemplate().getMetadata();
        return metadata == null || metadata.getLabels() == null ? null : metadata.getLabels().get(RampLabels.REVISION);
    }

    /**
     * Without a mesh (provider None), the label the primary's and the canary's pods share, which the
     * Service selects during a canary step ({@code RolloutServices.apexSelector}); none behind a router.
     */
    static Map<String, String> serviceLabel(Rollout rollout) {
        return rollout.getSpec().getService().effectiveProvider() == RoutingProvider.None
                ? Map.of(RampLabels.SERVICE, RolloutNames.of(rollout).service()) : Map.of();
    }

    /** The labels that tell a release's pods (and the mesh's telemetry of them) by revision. */
    static Map<String, String> revisionLabels(String revision) {
        return Map.of(RampLabels.REVISION, revision, RampLabels.CANONICAL_REVISION, revision);
    }

    private void scale(String namespace, String name, int replicas) {
        client.apps().deployments().inNamespace(namespace).withName(name)
                .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(replicas).endSpec().build());
    }

    /**
     * Scales the target up to run as the canary ({@link ReplicaCounts#canary}: the primary's size, its
     * step's share of the pods without a mesh, or left to the target's autoscaler once it runs), its
     * pods labelled with {@code revision} so that the checks count only their requests (and without
     * a mesh with the label the Service selects them by).
     */
    public void scaleUpCanary(Rollout rollout, Deployment target, Optional<Deployment> primary, String revision) {
        scaledObjects.resume(rollout);
        Optional<Integer> replicas = ReplicaCounts.canary(rollout, target, primary);
        Map<String, String> wanted = new LinkedHashMap<>(revisionLabels(revision));
        wanted.putAll(serviceLabel(rollout));
        Map<String, String> labels = target.getSpec().getTemplate().getMetadata().getLabels();
        boolean labelled = labels != null && labels.entrySet().containsAll(wanted.entrySet());
        if (replicas.map(r -> !r.equals(target.getSpec().getReplicas())).orElse(false) || !labelled) {
            client.apps().deployments().inNamespace(target.getMetadata().getNamespace()).withName(target.getMetadata().getName())
                    .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(replicas.orElse(d.getSpec().getReplicas()))
                            .editTemplate().editOrNewMetadata().addToLabels(wanted).endMetadata().endTemplate()
                            .endSpec().build());
        }
    }

    /** Scales the target to 0, a KEDA ScaledObject of it paused first, so that KEDA does not scale it up again. */
    public void scaleDownCanary(Rollout rollout, Deployment target) {
        scaledObjects.pause(rollout);
        if (target.getSpec().getReplicas() == null || target.getSpec().getReplicas() != 0) {
            scale(target.getMetadata().getNamespace(), target.getMetadata().getName(), 0);
        }
    }

    /**
     * Ready: the controller has seen the latest spec and every desired pod is updated and ready.
     * A Deployment scaled to 0 is not ready: it has nothing to send traffic to.
     */
    public static boolean isReady(Deployment deployment) {
        var status = deployment.getStatus();
        if (status == null) {
            return false;
        }
        long generation = deployment.getMetadata().getGeneration() == null ? 0 : deployment.getMetadata().getGeneration();
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        if (desired == 0) {
            return false;
        }
        return status.getObservedGeneration() != null && status.getObservedGeneration() >= generation
                && value(status.getUpdatedReplicas()) >= desired && value(status.getReadyReplicas()) >= desired;
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }
}
