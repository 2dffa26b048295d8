package dev.ramp.rollout;

import dev.ramp.analysis.TemplateLookup;
import dev.ramp.api.AutoscalerCondition;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.autoscaling.AutoscalerProblems;
import dev.ramp.kube.ApiErrors;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Drives each Rollout through its phases, one pass at a time: observe (the target Deployment and
 * what else the pass decides from), decide (the phase's handler, {@link PhaseHandlerRegistry}),
 * apply (the status written by {@link RolloutStatusWriter}, then routing and effects).
 * What wakes it is {@link RolloutEventSources}: a change to the target or the primary, to what Ramp
 * generates, or an answer from outside that a pass was holding for.
 */
// Not generation-aware: a manual action is an annotation, which leaves the generation as it is.
// Each status write then wakes the reconciler once more, which finds nothing new and writes nothing.
// Errors are retried without an attempt limit, backing off from 1s to at most 10s: a release must
// never be left unwatched for JOSDK's max reconciliation interval after a run of API errors.
@GradualRetry(maxAttempts = -1, initialInterval = 1000, intervalMultiplier = 2, maxInterval = 10_000)
// Every object Ramp generates is watched, so an edit or deletion wakes its Rollout at once; idle
// Rollouts are still reconciled every 5 minutes, in case a watch missed an event.
@ControllerConfiguration(name = "rollout", generationAwareEventProcessing = false,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class RolloutReconciler implements Reconciler<Rollout> {

    private static final Logger LOG = Logger.getLogger(RolloutReconciler.class);

    private final Conditions conditions;
    private final EventRecorder events;
    private final PhaseHandlerRegistry handlers;
    private final Clock clock;
    private final RolloutStatusWriter writer;
    private final RolloutEventSources sources;

    public RolloutReconciler(Conditions conditions, EventRecorder events, PhaseHandlerRegistry handlers,
            RolloutEventSources sources, Clock clock) {
        this.sources = sources;
        this.conditions = conditions;
        this.events = events;
        this.handlers = handlers;
        this.clock = clock;
        this.writer = new RolloutStatusWriter(conditions, clock);
    }

    @Override
    public List<EventSource<?, Rollout>> prepareEventSources(EventSourceContext<Rollout> context) {
        return sources.prepare(context);
    }

    /**
     * One pass: observe (the Rollout, its target and primary, from the informers' caches), decide
     * (the guards, then the phase's handler, all pure), write the status, then apply: the
     * Services and routing that follow from the written status, and the effects decided.
     */
    @Override
    public UpdateControl<Rollout> reconcile(Rollout cached, Context<Rollout> context) {
        Rollout rollout = writer.latest(context.getClient(), cached).orElse(null);
        if (rollout == null) {
            return UpdateControl.noUpdate();
        }
        if (TargetLabels.label(context, rollout)) {
            // Labelled just now: its informer's event starts the next pass, which finds it cached.
            return UpdateControl.<Rollout>noUpdate().rescheduleAfter(TargetLabels.ABSENT_RECHECK);
        }
        RolloutNames names = RolloutNames.of(rollout);
        String before = RolloutStatusWriter.snapshot(rollout);
        RolloutContext pass;
        if (rollout.getSpec().getTargetRef().isStatefulSet()) {
            Optional<StatefulSet> target = RolloutEventSources.statefulSet(context, names.target());
            if (target.isEmpty()) {
                return targetNotFound(rollout, names.target());
            }
            Instant now = clock.instant();
            pass = RolloutContext.ofStatefulSet(rollout, target.get(),
                    RolloutEventSources.stalledStatefulSetPods(context, rollout, target.get(), now),
                    TemplateLookup.of(context.getSecondaryResources(MetricTemplate.class)), now,
                    handlers.generated().routerNotInstalled(rollout, sources.watchInstalled(context)),
                    handlers.generated().routeAcceptance(rollout, sources.cachedRouting(context)));
        } else {
            Optional<Deployment> target = RolloutEventSources.deployment(context, names.target());
            if (target.isEmpty()) {
                return targetNotFound(rollout, names.target());
            }
            pass = observe(context, rollout, target.get(), names);
        }
        recovered(rollout);
        Next next = handlers.decide(pass);
        rollout.getStatus().setObservedGeneration(rollout.getMetadata().getGeneration());
        apply(context, pass, before);
        if (pass.autoscalerProblem().map(p -> AutoscalerCondition.NOT_FOUND.equals(p.reason())).orElse(false)) {
            // An HPA's creation wakes nothing (it carries no label of Ramp's yet): look again.
            next = Next.soonest(next, Next.after(TargetLabels.ABSENT_RECHECK));
        }
        UpdateControl<Rollout> control = UpdateControl.noUpdate();
        next.after().ifPresent(control::rescheduleAfter);
        return control;
    }

    /** What a pass decides from: the Rollout, its target, primary, baseline and Pods, its templates, now, and whether its router is installed. */
    private RolloutContext observe(Context<Rollout> context, Rollout rollout, Deployment target, RolloutNames names) {
        return new RolloutContext(rollout, target, RolloutEventSources.deployment(context, names.primary()),
                RolloutEventSources.releasePods(context, rollout), TemplateLookup.of(context.getSecondaryResources(MetricTemplate.class)),
                clock.instant(), handlers.generated().routerNotInstalled(rollout, sources.watchInstalled(context)),
                handlers.generated().routeAcceptance(rollout, sources.cachedRouting(context)),
                AutoscalerProblems.of(rollout, context.getSecondaryResources(HorizontalPodAutoscaler.class),
                        sources.cachedScaledObjects(context)))
                .observedBaseline(RolloutEventSources.deployment(context, names.baseline()));
    }

    /**
     * Carries out a decided pass: a rollback's traffic to the primary first, then the status
     * write; routing, Services and the decided effects follow the status just written, never one
     * that might be lost: were the write refused, the pass ends there and nothing changes.
     */
    private void apply(Context<Rollout> context, RolloutContext pass, String before) {
        Rollout rollout = pass.rollout();
        RolloutStatus status = rollout.getStatus();
        String namespace = rollout.getMetadata().getNamespace();
        handlers.metrics().observe(namespace, rollout.getMetadata().getName(), status.getPhase(), status.getCanaryWeight());
        handlers.metrics().judged(namespace, rollout.getMetadata().getName(), rollout.getSpec().getAnalysis(), status.getMetrics());
        if (pass.statefulSet().isPresent()) {
            applyStatefulSet(context, pass, before);
            return;
        }
        List<HasMetadata> routing = sources.cachedRouting(context);
        if (pass.effects().contains(new Effect.RouteToPrimary())) {
            handlers.generated().routeToPrimary(rollout, pass.target(), context.getSecondaryResources(Service.class), routing);
            handlers.metrics().routedToPrimary(namespace, rollout.getMetadata().getName(),
                    Duration.between(pass.now(), clock.instant()));
        }
        writer.write(context.getClient(), rollout, before);
        int told = handlers.effects().tell(pass, 0);
        // Held while the router is not installed (RouterGuard): nothing is written, not even the Services.
        if (pass.routerNotInstalled().isEmpty()) {
            handlers.generated().apply(rollout, pass.target(), context.getSecondaryResources(Service.class), routing,
                    RolloutEventSources.namespaceHpas(context, rollout), sources.namespaceScaledObjects(context, rollout));
        }
        handlers.effects().apply(pass);
        handlers.effects().tell(pass, told);
    }

    /**
     * A StatefulSet's pass (no primary; the partition is an effect). Behind a router, as for a
     * Deployment: a rollback's route to the primary, the status, the Services and route it says, then
     * the effects: the partition moves the primary's last pods only once the route has left them.
     */
    private void applyStatefulSet(Context<Rollout> context, RolloutContext pass, String before) {
        Rollout rollout = pass.rollout();
        boolean routed = rollout.getSpec().getService().effectiveProvider() != RoutingProvider.None
                && pass.routerNotInstalled().isEmpty();
        StatefulSet target = pass.statefulSet().orElseThrow();
        if (routed && pass.effects().contains(new Effect.RouteToPrimary())) {
            handlers.generated().applyStatefulSet(rollout, target, context.getSecondaryResources(Service.class),
                    sources.cachedRouting(context), true);
        }
        writer.write(context.getClient(), rollout, before);
        int told = handlers.effects().tell(pass, 0);
        if (routed) {
            handlers.generated().applyStatefulSet(rollout, target, context.getSecondaryResources(Service.class),
                    sources.cachedRouting(context), false);
        }
        handlers.effects().apply(pass);
        handlers.effects().tell(pass, told);
    }

    /**
     * Any exception (the API server down, a Deployment that cannot be written, a bug) becomes the
     * Ready condition's reason and message, and JOSDK retries with capped exponential backoff and
     * no attempt limit (application.properties), so a release is never left silently mid-step.
     * A 409 is only a write that lost a race: it is retried at once, with nothing to report.
     */
    @Override
    public ErrorStatusUpdateControl<Rollout> updateErrorStatus(Rollout rollout, Context<Rollout> context, Exception e) {
        if (e instanceof KubernetesClientException k && k.getCode() == 409) {
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        boolean world = ApiErrors.isTransient(e);
        String reason = world ? "ApiUnavailable" : "ReconcileError";
        String message = (world ? "retrying with backoff: " : "retrying with backoff after an unexpected error: ")
                + (e instanceof KubernetesClientException k ? ApiErrors.describe(k) : String.valueOf(e.getMessage()));
        if (world) {
            LOG.warnf("rollout %s/%s: %s", rollout.getMetadata().getNamespace(), rollout.getMetadata().getName(), message);
        } else {
            LOG.warnf(e, "rollout %s/%s: %s", rollout.getMetadata().getNamespace(), rollout.getMetadata().getName(), message);
        }
        // Without an API server there is nothing to write; JOSDK retries.
        try {
            writer.readyCondition(context.getClient(), rollout, Conditions.UNKNOWN, reason, message);
        } catch (KubernetesClientException unreachable) {
            LOG.debugf("rollout %s/%s: condition not written: %s", rollout.getMetadata().getNamespace(),
                    rollout.getMetadata().getName(), unreachable.getMessage());
        }
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    /** A pass that got this far (the target found, no exception) clears a Ready condition an error or a missing target had left. */
    private void recovered(Rollout rollout) {
        RolloutStatus status = rollout.getStatus();
        Optional<String> reason = Conditions.find(status.getConditions(), RolloutConditions.READY).map(c -> c.getReason())
                .filter(Set.of("ApiUnavailable", "ReconcileError", "TargetNotFound")::contains);
        if (reason.isPresent()) {
            status.setConditions(Conditions.merge(status.getConditions(), conditions.of(RolloutConditions.READY, Conditions.TRUE,
                    "TargetNotFound".equals(reason.get()) ? "TargetFound" : "Recovered",
                    "TargetNotFound".equals(reason.get()) ? rollout.getSpec().getTargetRef().getKind() + " "
                            + rollout.getSpec().getTargetRef().getName() + " found"
                            : "reconciling again after the last error", rollout.getMetadata().getGeneration())));
        }
    }

    /**
     * Nothing to do until the target appears. Its creation wakes nothing (the informers hold only
     * what carries Ramp's label), so the Rollout looks again every few seconds: one read.
     */
    private UpdateControl<Rollout> targetNotFound(Rollout rollout, String targetName) {
        RolloutStatus status = rollout.getStatus();
        String namespace = rollout.getMetadata().getNamespace();
        String message = rollout.getSpec().getTargetRef().getKind() + " " + namespace + "/" + targetName
                + " not found; waiting for it to be created";
        boolean alreadyReported = Conditions.find(status.getConditions(), RolloutConditions.READY)
                .map(c -> "TargetNotFound".equals(c.getReason())).orElse(false);
        if (!alreadyReported) {
            LOG.infof("rollout %s/%s: %s", namespace, rollout.getMetadata().getName(), message);
            events.warning(rollout, "TargetNotFound", message);
        }
        if (status.getPhase() == null) {
            status.setPhase(Phase.Initializing);
        }
        status.setConditions(Conditions.merge(status.getConditions(), conditions.of(RolloutConditions.READY, Conditions.FALSE,
                "TargetNotFound", message, rollout.getMetadata().getGeneration())));
        status.setObservedGeneration(rollout.getMetadata().getGeneration());
        return UpdateControl.patchStatus(rollout).rescheduleAfter(TargetLabels.ABSENT_RECHECK);
    }
}
