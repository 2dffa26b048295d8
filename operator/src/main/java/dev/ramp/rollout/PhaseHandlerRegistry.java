package dev.ramp.rollout;

import dev.ramp.git.ReleaseReverter;
import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.AnalysisMetrics;
import dev.ramp.analysis.Providers;
import dev.ramp.api.Phase;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.References;
import dev.ramp.kube.EventRecorder;
import dev.ramp.rollout.phase.FailedPhase;
import dev.ramp.rollout.phase.FinalisingPhase;
import dev.ramp.rollout.phase.IdlePhase;
import dev.ramp.rollout.phase.InitializingPhase;
import dev.ramp.rollout.phase.ProgressingPhase;
import dev.ramp.rollout.phase.PromotingPhase;
import dev.ramp.rollout.phase.WaitingPromotionPhase;
import dev.ramp.hooks.HookCaller;
import dev.ramp.hooks.Hooks;
import dev.ramp.routing.IstioRouter;
import dev.ramp.routing.RolloutServices;
import dev.ramp.routing.TrafficRouter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Which handler does the work of each phase: the whole state machine, one class per phase. */
public class PhaseHandlerRegistry {

    private final Map<Phase, PhaseHandler> handlers = new EnumMap<>(Phase.class);
    private final RolloutMetrics metrics;
    private final ManualActions actions;
    private final NewRevisionGuard newRevision;
    private final GeneratedObjects generated;

    public PhaseHandlerRegistry(List<PhaseHandler> handlers, RolloutMetrics metrics, ManualActions actions,
            NewRevisionGuard newRevision, GeneratedObjects generated) {
        this.metrics = metrics;
        this.actions = actions;
        this.newRevision = newRevision;
        this.generated = generated;
        for (PhaseHandler handler : handlers) {
            for (Phase phase : handler.phases()) {
                this.handlers.put(phase, handler);
            }
        }
    }

    /** As the full {@code create}, with references kept in their namespace and the default egress policy. */
    public static PhaseHandlerRegistry create(KubernetesClient client, Conditions conditions, EventRecorder events,
            String prometheusAddress, MeterRegistry registry, ReleaseReverter reverter) {
        return create(client, conditions, events, prometheusAddress, registry, reverter, References.SAME_NAMESPACE,
                EgressPolicy.defaults());
    }

    /**
     * The handlers wired to the real Kubernetes client, Istio router, Prometheus and Git, with the
     * operator's rules for cross-namespace references and outbound requests (hooks, providers).
     */
    public static PhaseHandlerRegistry create(KubernetesClient client, Conditions conditions, EventRecorder events,
            String prometheusAddress, MeterRegistry registry, ReleaseReverter reverter, References references,
            EgressPolicy egress) {
        Workloads workloads = new Workloads(client);
        TrafficRouter router = new IstioRouter(client);
        RolloutMetrics metrics = new RolloutMetrics(registry);
        Hooks hooks = new Hooks(new HookCaller(client, egress));
        Transitions transitions = new Transitions(workloads, router, events, conditions, metrics, hooks);
        ReleaseGates gates = new ReleaseGates(hooks, transitions);
        Analysis analysis = new Analysis(client, new Providers(client, prometheusAddress, egress), new AnalysisMetrics(registry),
                references);
        ReleaseChecks checks = new ReleaseChecks(analysis, transitions);
        IdlePhase idle = new IdlePhase(workloads, transitions);
        return new PhaseHandlerRegistry(List.of(
                new InitializingPhase(workloads, transitions),
                idle,
                new FailedPhase(idle, reverter, transitions),
                new ProgressingPhase(workloads, checks, transitions, gates),
                new WaitingPromotionPhase(gates, checks, transitions),
                new PromotingPhase(workloads, transitions),
                new FinalisingPhase(workloads, transitions)), metrics, new ManualActions(transitions),
                new NewRevisionGuard(workloads, transitions), new GeneratedObjects(new RolloutServices(client), router));
    }

    /** The handler of a phase. */
    public PhaseHandler forPhase(Phase phase) {
        return handlers.get(phase == null ? Phase.Initializing : phase);
    }

    /** The guard every releasing phase shares: a new revision restarts the release. */
    public NewRevisionGuard newRevision() {
        return newRevision;
    }

    /** The Services and routing objects applied after every phase. */
    public GeneratedObjects generated() {
        return generated;
    }

    public ManualActions actions() {
        return actions;
    }

    public RolloutMetrics metrics() {
        return metrics;
    }
}
