package dev.ramp.rollout;

import dev.ramp.git.ReleaseReverter;
import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.AnalysisMetrics;
import dev.ramp.analysis.GatewayApiImplementation;
import dev.ramp.analysis.Providers;
import dev.ramp.analysis.QueryBatches;
import dev.ramp.api.Phase;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.Timestamps;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.kube.References;
import dev.ramp.kube.EventRecorder;
import dev.ramp.rollout.phase.FailedPhase;
import dev.ramp.rollout.phase.FinalisingPhase;
import dev.ramp.rollout.phase.IdlePhase;
import dev.ramp.rollout.phase.InitializingPhase;
import dev.ramp.rollout.phase.ProgressingPhase;
import dev.ramp.rollout.phase.PromotingPhase;
import dev.ramp.rollout.phase.WaitingPromotionPhase;
import dev.ramp.rollout.statefulset.StatefulSetFailedPhase;
import dev.ramp.rollout.statefulset.StatefulSetGuard;
import dev.ramp.rollout.statefulset.StatefulSetIdlePhase;
import dev.ramp.rollout.statefulset.StatefulSetInitializingPhase;
import dev.ramp.rollout.statefulset.StatefulSetProgressingPhase;
import dev.ramp.rollout.statefulset.StatefulSetPromotingPhase;
import dev.ramp.rollout.statefulset.StatefulSets;
import dev.ramp.hooks.HookCaller;
import dev.ramp.hooks.Hooks;
import dev.ramp.routing.RolloutServices;
import dev.ramp.autoscaling.FormerAutoscalers;
import dev.ramp.autoscaling.PrimaryAutoscalers;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.routing.Routers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import dev.ramp.work.OutsideWork;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which handler does the work of each phase: the whole state machine, one class per phase. */
public class PhaseHandlerRegistry {

    private final Map<Phase, PhaseHandler> handlers = new EnumMap<>(Phase.class);
    private final Map<Phase, PhaseHandler> statefulSetHandlers = new EnumMap<>(Phase.class);
    private final StatefulSetGuard statefulSet = new StatefulSetGuard();
    private final RolloutMetrics metrics;
    private final ManualActions actions = new ManualActions();
    private final NewRevisionGuard newRevision = new NewRevisionGuard();
    private final RouterGuard router = new RouterGuard();
    private final AutoscalerGuard autoscaler = new AutoscalerGuard();
    private final RouteGuard routes;
    private final RouteAcceptanceGuard acceptance = new RouteAcceptanceGuard();
    private final GeneratedObjects generated;
    private final Effects effects;

    /** The decisions alone, with nothing to apply them (unit tests of the state machine). */
    public PhaseHandlerRegistry(List<PhaseHandler> handlers) {
        this(handlers, List.of());
    }

    /** The decisions alone, for targets of both kinds (unit tests of the state machine). */
    public PhaseHandlerRegistry(List<PhaseHandler> handlers, List<PhaseHandler> statefulSetHandlers) {
        this(handlers, statefulSetHandlers, null, null, null, Routers.create(null, RoutePolicy.OWN_NAMES, false));
    }

    public PhaseHandlerRegistry(List<PhaseHandler> handlers, List<PhaseHandler> statefulSetHandlers, RolloutMetrics metrics,
            GeneratedObjects generated, Effects effects, Routers routers) {
        this.routes = new RouteGuard(routers);
        this.metrics = metrics;
        this.generated = generated;
        this.effects = effects;
        for (PhaseHandler handler : handlers) {
            for (Phase phase : handler.phases()) {
                this.handlers.put(phase, handler);
            }
        }
        // A StatefulSet's own handlers, the rest shared (WaitingPromotion).
        this.statefulSetHandlers.putAll(this.handlers);
        for (PhaseHandler handler : statefulSetHandlers) {
            for (Phase phase : handler.phases()) {
                this.statefulSetHandlers.put(phase, handler);
            }
        }
    }

    /**
     * The handlers wired to the real Kubernetes client, the routers and Git, with the hosts and
     * gateways a Rollout may route; hooks and metric queries are asked through {@code probes}.
     * The Gateway API implementation is taken not to mirror.
     */
    public static PhaseHandlerRegistry create(KubernetesClient client, EventRecorder events, MeterRegistry registry,
            ReleaseReverter reverter, RoutePolicy routePolicy, AsyncProbes probes) {
        return create(client, events, registry, reverter, Routers.create(client, routePolicy, false), probes);
    }

    /** The handlers wired to the real Kubernetes client, each Rollout's router among {@code routers}, and Git. */
    public static PhaseHandlerRegistry create(KubernetesClient client, EventRecorder events, MeterRegistry registry,
            ReleaseReverter reverter, Routers routers, AsyncProbes probes) {
        RolloutMetrics metrics = new RolloutMetrics(registry);
        Effects effects = new Effects(new Workloads(client), new StatefulSets(client), probes, metrics, events);
        return new PhaseHandlerRegistry(handlers(probes, probes.reverts(reverter)),
                statefulSetHandlers(probes, probes.reverts(reverter)), metrics,
                new GeneratedObjects(new RolloutServices(client), routers, new PrimaryAutoscalers(client),
                        new FormerAutoscalers(client)), effects, routers);
    }

    /**
     * The probes of Rollouts against Prometheus and their webhooks, run on {@code work}, with the
     * operator's rules for cross-namespace references and outbound requests.
     */
    public static AsyncProbes probes(KubernetesClient client, String prometheusAddress, MeterRegistry registry,
            References references, EgressPolicy egress, OutsideWork work, Clock clock) {
        return probes(client, prometheusAddress, GatewayApiImplementation.traefik(), registry, references, egress, work, clock);
    }

    /** The same, with the Gateway API implementation whose telemetry the built-in metrics read for GatewayAPI Rollouts. */
    public static AsyncProbes probes(KubernetesClient client, String prometheusAddress, GatewayApiImplementation gatewayApi,
            MeterRegistry registry, References references, EgressPolicy egress, OutsideWork work, Clock clock) {
        return probes(client, prometheusAddress, gatewayApi, registry, references, egress, work, clock, QueryBatches.DEFAULT_MAX_AGE);
    }

    /**
     * The same, the built-in metrics batched ({@link QueryBatches}): a check reads a batched answer
     * asked at most {@code batchMaxAge} before it was due; zero batches nothing.
     */
    public static AsyncProbes probes(KubernetesClient client, String prometheusAddress, GatewayApiImplementation gatewayApi,
            MeterRegistry registry, References references, EgressPolicy egress, OutsideWork work, Clock clock,
            Duration batchMaxAge) {
        AnalysisMetrics metrics = new AnalysisMetrics(registry);
        Analysis analysis = new Analysis(new Providers(client, prometheusAddress, egress), metrics,
                references, gatewayApi, clock, new QueryBatches(batchMaxAge, clock, metrics));
        return new AsyncProbes(analysis, new Hooks(new HookCaller(client, egress)), work, clock);
    }

    /** The whole state machine: one handler per phase, deciding from what it observes and what {@code probes} answer. */
    public static List<PhaseHandler> handlers(Probes probes, Reverts reverter) {
        ReleaseGates gates = new ReleaseGates(probes);
        ReleaseChecks checks = new ReleaseChecks(probes);
        IdlePhase idle = new IdlePhase();
        return List.of(new InitializingPhase(), idle, new FailedPhase(idle, reverter),
                new ProgressingPhase(checks, gates), new WaitingPromotionPhase(gates, checks),
                new PromotingPhase(), new FinalisingPhase());
    }

    /** A StatefulSet's handlers (docs/statefulsets.md): released in place by its partition, with the same gates and checks. */
    public static List<PhaseHandler> statefulSetHandlers(Probes probes, Reverts reverter) {
        StatefulSetIdlePhase idle = new StatefulSetIdlePhase();
        return List.of(new StatefulSetInitializingPhase(), idle, new StatefulSetFailedPhase(idle, reverter),
                new StatefulSetProgressingPhase(new ReleaseChecks(probes), new ReleaseGates(probes)), new StatefulSetPromotingPhase());
    }

    /**
     * Decides one pass: a hold for a router that is not installed, a refused route or a route its
     * Gateways have not accepted, else a manual action or a pause, else a new revision, else the
     * work of the current phase. Changes the status in {@code context} and adds the effects and
     * Events to carry out once it is written; reads nothing but the context and the probes.
     */
    public Next decide(RolloutContext context) {
        if (context.status().getPhase() == null) {
            context.status().setPhase(Phase.Initializing);
        }
        recordWhatIsMissing(context);
        if (context.statefulSet().isPresent()) {
            // No autoscaler of Ramp's (the CRD refuses one); behind a router, the same holds on it as for a Deployment.
            boolean routed = context.rollout().getSpec().getService().effectiveProvider() != RoutingProvider.None;
            return statefulSet.apply(context)
                    .or(() -> routed ? router.apply(context) : Optional.empty())
                    .or(() -> routed ? routes.apply(context) : Optional.empty())
                    .or(() -> routed ? acceptance.apply(context) : Optional.empty())
                    .or(() -> actions.apply(context))
                    .or(() -> newRevision.apply(context))
                    .orElseGet(() -> statefulSetHandlers.get(context.status().getPhase()).handle(context));
        }
        autoscaler.apply(context);
        return router.apply(context)
                .or(() -> routes.apply(context))
                .or(() -> acceptance.apply(context))
                .or(() -> actions.apply(context))
                .or(() -> newRevision.apply(context))
                .orElseGet(() -> forPhase(context.status().getPhase()).handle(context));
    }

    /**
     * A status written before its fields existed (an operator upgraded mid-release): the phase and
     * the step begin now, and are recorded so, rather than never being held or due. A release
     * waiting for promotion passed every step, so it holds the last one; a Progressing release
     * with no step goes through its gates again, with all traffic on the primary meanwhile.
     */
    private static void recordWhatIsMissing(RolloutContext context) {
        RolloutStatus status = context.status();
        if (status.getPhaseSince() == null) {
            status.setPhaseSince(Timestamps.format(context.now()));
        }
        if (status.getPhase() == Phase.WaitingPromotion && status.getCurrentStep() == null) {
            Transitions.toStep(context, ReleasePlan.size(context.rollout()) - 1);
        }
        if (status.getCurrentStep() != null && status.getCurrentStep().getStartedAt() == null) {
            status.getCurrentStep().setStartedAt(Timestamps.format(context.now()));
        }
    }

    /** The handler of a phase. */
    public PhaseHandler forPhase(Phase phase) {
        return handlers.get(phase == null ? Phase.Initializing : phase);
    }

    /** The Services and routing objects applied after every phase. */
    public GeneratedObjects generated() {
        return generated;
    }

    /** Carries out what a pass decided, once its status is written. */
    public Effects effects() {
        return effects;
    }

    public RolloutMetrics metrics() {
        return metrics;
    }
}
