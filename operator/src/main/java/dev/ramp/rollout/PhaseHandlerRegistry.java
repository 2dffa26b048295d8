package dev.ramp.rollout;

import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.AnalysisMetrics;
import dev.ramp.analysis.Providers;
import dev.ramp.api.Phase;
import dev.ramp.kube.Conditions;
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
import java.time.Duration;
import dev.ramp.routing.IstioRouter;
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

    public PhaseHandlerRegistry(List<PhaseHandler> handlers, RolloutMetrics metrics, ManualActions actions) {
        this.metrics = metrics;
        this.actions = actions;
        for (PhaseHandler handler : handlers) {
            for (Phase phase : handler.phases()) {
                this.handlers.put(phase, handler);
            }
        }
    }

    /** The handlers wired to the real Kubernetes client, Istio router, Prometheus and Git. */
    public static PhaseHandlerRegistry create(KubernetesClient client, Conditions conditions, EventRecorder events,
            String prometheusAddress, MeterRegistry registry, ReleaseReverter reverter) {
        Workloads workloads = new Workloads(client);
        TrafficRouter router = new IstioRouter(client);
        RolloutMetrics metrics = new RolloutMetrics(registry);
        Hooks hooks = new Hooks(new HookCaller(Duration.ofMillis(500)));
        Transitions transitions = new Transitions(workloads, router, events, conditions, metrics, hooks);
        ReleaseGates gates = new ReleaseGates(hooks, transitions);
        Analysis analysis = new Analysis(client, new Providers(client, prometheusAddress), new AnalysisMetrics(registry));
        IdlePhase idle = new IdlePhase(workloads, transitions);
        return new PhaseHandlerRegistry(List.of(
                new InitializingPhase(workloads, router, transitions),
                idle,
                new FailedPhase(idle, reverter, transitions),
                new ProgressingPhase(workloads, router, analysis, transitions, gates),
                new WaitingPromotionPhase(gates, transitions),
                new PromotingPhase(workloads, router, transitions),
                new FinalisingPhase(workloads, transitions)), metrics, new ManualActions(transitions));
    }

    /** The handler of a phase; phases not (yet) handled by a strategy are handled as idle. */
    public PhaseHandler forPhase(Phase phase) {
        PhaseHandler handler = handlers.get(phase == null ? Phase.Initializing : phase);
        return handler != null ? handler : handlers.get(Phase.Initialized);
    }

    public ManualActions actions() {
        return actions;
    }

    public RolloutMetrics metrics() {
        return metrics;
    }
}
