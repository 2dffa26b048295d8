package dev.ramp.rollout;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Drives each Rollout through its phases. It finds the target Deployment, then hands the
 * Rollout to the handler of its current phase and writes back the status that handler returns.
 * Changes to the target or the primary Deployment wake it at once; nothing polls the target.
 */
// Not generation-aware: a manual action is an annotation, which leaves the generation as it is.
// Each status write then wakes the reconciler once more, which finds nothing new and writes nothing.
@ControllerConfiguration(name = "rollout", generationAwareEventProcessing = false)
public class RolloutReconciler implements Reconciler<Rollout> {

    private static final Logger LOG = Logger.getLogger(RolloutReconciler.class);
    static final String BY_DEPLOYMENT = "rollout-by-deployment";
    public static final String READY = "Ready";

    private final Conditions conditions;
    private final EventRecorder events;
    private final PhaseHandlerRegistry handlers;
    private final Clock clock;

    public RolloutReconciler(Conditions conditions, EventRecorder events, PhaseHandlerRegistry handlers, Clock clock) {
        this.conditions = conditions;
        this.events = events;
        this.handlers = handlers;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, Rollout>> prepareEventSources(EventSourceContext<Rollout> context) {
        context.getPrimaryCache().addIndexer(BY_DEPLOYMENT, rollout -> deploymentsOf(rollout).stream()
                .map(ResourceID::toString).toList());
        var config = InformerEventSourceConfiguration.from(Deployment.class, Rollout.class)
                .withSecondaryToPrimaryMapper(deployment -> context.getPrimaryCache()
                        .byIndex(BY_DEPLOYMENT, ResourceID.fromResource(deployment).toString()).stream()
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((Rollout rollout) -> deploymentsOf(rollout))
                .build();
        return List.of(new InformerEventSource<>(config, context));
    }

    /** The target Deployment and the primary Ramp generates from it. */
    static Set<ResourceID> deploymentsOf(Rollout rollout) {
        String namespace = rollout.getMetadata().getNamespace();
        String target = rollout.getSpec().getTargetRef().getName();
        return Set.of(new ResourceID(target, namespace), new ResourceID(target + "-primary", namespace));
    }

    @Override
    public UpdateControl<Rollout> reconcile(Rollout cached, Context<Rollout> context) {
        // The informer's copy can lag behind this reconciler's own last status write; a phase
        // acting on a stale step would repeat it, so each reconcile starts from the latest status.
        Rollout rollout = context.getClient().resources(Rollout.class).inNamespace(cached.getMetadata().getNamespace())
                .withName(cached.getMetadata().getName()).get();
        if (rollout == null) {
            return UpdateControl.noUpdate();
        }
        String targetName = rollout.getSpec().getTargetRef().getName();
        Optional<Deployment> target = context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(targetName)).findFirst();
        if (target.isEmpty()) {
            return targetNotFound(rollout, targetName);
        }
        String before = Serialization.asJson(rollout.getStatus());
        RolloutStatus status = rollout.getStatus();
        if (status.getPhase() == null) {
            status.setPhase(Phase.Initializing);
        }
        RolloutContext phaseContext = new RolloutContext(rollout, target.get(), clock);
        Next next = handlers.actions().apply(phaseContext)
                .orElseGet(() -> handlers.forPhase(status.getPhase()).handle(phaseContext));
        status.setObservedGeneration(rollout.getMetadata().getGeneration());
        handlers.metrics().observe(rollout.getMetadata().getNamespace(), rollout.getMetadata().getName(),
                status.getPhase(), status.getCanaryWeight());
        // Only this reconciler writes the status, so the patch needs no optimistic lock; with one, a
        // GitSource applying the Rollout's spec meanwhile would fail it after the phase acted.
        rollout.getMetadata().setResourceVersion(null);
        UpdateControl<Rollout> control = Serialization.asJson(status).equals(before) ? UpdateControl.noUpdate()
                : UpdateControl.patchStatus(rollout);
        next.after().ifPresent(control::rescheduleAfter);
        return control;
    }

    /**
     * Nothing to do until the Deployment appears; its creation wakes this reconciler through
     * the informer, so there is no requeue and no retry storm.
     */
    private UpdateControl<Rollout> targetNotFound(Rollout rollout, String targetName) {
        RolloutStatus status = rollout.getStatus();
        String namespace = rollout.getMetadata().getNamespace();
        String message = "Deployment " + namespace + "/" + targetName + " not found; waiting for it to be created";
        boolean alreadyReported = Conditions.find(status.getConditions(), READY)
                .map(c -> "TargetNotFound".equals(c.getReason())).orElse(false);
        if (!alreadyReported) {
            LOG.infof("rollout %s/%s: %s", namespace, rollout.getMetadata().getName(), message);
            events.warning(rollout, "TargetNotFound", message);
        }
        if (status.getPhase() == null) {
            status.setPhase(Phase.Initializing);
        }
        status.setConditions(Conditions.merge(status.getConditions(), conditions.of(READY, Conditions.FALSE,
                "TargetNotFound", message, rollout.getMetadata().getGeneration())));
        status.setObservedGeneration(rollout.getMetadata().getGeneration());
        return UpdateControl.patchStatus(rollout);
    }
}
