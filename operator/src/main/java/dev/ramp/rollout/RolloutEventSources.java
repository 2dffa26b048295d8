package dev.ramp.rollout;

import dev.ramp.api.MetricTemplate;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.kube.Managed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What wakes a Rollout and what its pass reads from caches: informers on its target and primary,
 * the MetricTemplates it names, its revision's Pods and the objects Ramp generates for it, and the
 * arrival of an answer from outside (a hook, a round of checks: {@link AsyncProbes#wakeups()}).
 * Nothing polls the target.
 */
public class RolloutEventSources {

    static final String BY_DEPLOYMENT = "rollout-by-deployment";
    static final String BY_TEMPLATE = "rollout-by-template";

    private final List<Class<? extends HasMetadata>> routingKinds;
    private final EventSource<?, Rollout> answers;

    public RolloutEventSources(List<Class<? extends HasMetadata>> routingKinds, EventSource<?, Rollout> answers) {
        this.routingKinds = List.copyOf(routingKinds);
        this.answers = answers;
    }

    public List<EventSource<?, Rollout>> prepare(EventSourceContext<Rollout> context) {
        List<EventSource<?, Rollout>> sources = new ArrayList<>();
        // The target and the primary: a change to either wakes the Rollout at once.
        sources.add(named(Deployment.class, BY_DEPLOYMENT, RolloutEventSources::deploymentsOf, context));
        // The MetricTemplates a Rollout's metrics name: read from this cache at each check, and an
        // edited template wakes the Rollouts that use it.
        sources.add(named(MetricTemplate.class, BY_TEMPLATE, RolloutEventSources::templatesOf, context));
        // The Pods of Ramp's revisions, read when a canary misses its deadline to tell why (CanaryStall).
        // They wake nothing: the deadline's own reschedule reads them.
        sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, Rollout.class)
                .withLabelSelector(RampLabels.REVISION).withSecondaryToPrimaryMapper(pod -> Set.of()).build(), context));
        // What Ramp generates (owned by their Rollout): a deleted or edited Service or routing object wakes it.
        sources.add(generated(Service.class, context));
        for (Class<? extends HasMetadata> kind : routingKinds) {
            sources.add(generated(kind, context));
        }
        // An answer from outside came in: the pass that was holding for it goes on.
        sources.add(answers);
        return sources;
    }

    /** An informer on the objects of a kind that Rollouts name ({@code names}), indexed to find the Rollouts naming one. */
    private static <R extends HasMetadata> EventSource<R, Rollout> named(Class<R> kind, String index,
            Function<Rollout, Set<ResourceID>> names, EventSourceContext<Rollout> context) {
        context.getPrimaryCache().addIndexer(index, rollout -> names.apply(rollout).stream().map(ResourceID::toString).toList());
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(kind, Rollout.class)
                .withSecondaryToPrimaryMapper(object -> context.getPrimaryCache()
                        .byIndex(index, ResourceID.fromResource(object).toString()).stream()
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((Rollout rollout) -> names.apply(rollout))
                .build(), context);
    }

    private static <R extends HasMetadata> EventSource<R, Rollout> generated(Class<R> kind, EventSourceContext<Rollout> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(kind, Rollout.class)
                .withLabelSelector(Managed.MANAGED_BY_SELECTOR).build(), context);
    }

    /** The routing objects of a Rollout in the informers' caches. */
    List<HasMetadata> cachedRouting(Context<Rollout> context) {
        List<HasMetadata> cached = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : routingKinds) {
            cached.addAll(context.getSecondaryResources(kind));
        }
        return cached;
    }

    /** The cached Pods of the revision being released, in the Rollout's namespace. */
    @SuppressWarnings("unchecked")
    static List<Pod> releasePods(Context<Rollout> context, Rollout rollout) {
        String revision = rollout.getStatus().getLastAppliedRevision();
        if (revision == null) {
            return List.of();
        }
        var pods = (InformerEventSource<Pod, Rollout>) context.eventSourceRetriever().getEventSourceFor(Pod.class);
        return pods.list(rollout.getMetadata().getNamespace(),
                pod -> revision.equals(pod.getMetadata().getLabels().get(RampLabels.REVISION))).toList();
    }

    static Optional<Deployment> deployment(Context<Rollout> context, String name) {
        return context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(name)).findFirst();
    }

    /** The MetricTemplates a Rollout's metrics refer to (a templateRef without namespace is in the Rollout's). */
    static Set<ResourceID> templatesOf(Rollout rollout) {
        var analysis = rollout.getSpec().getAnalysis();
        if (analysis == null || analysis.getMetrics() == null) {
            return Set.of();
        }
        String namespace = rollout.getMetadata().getNamespace();
        return analysis.getMetrics().stream().filter(m -> m.getTemplateRef() != null && m.getTemplateRef().getName() != null)
                .map(m -> new ResourceID(m.getTemplateRef().getName(),
                        m.getTemplateRef().getNamespace() == null ? namespace : m.getTemplateRef().getNamespace()))
                .collect(Collectors.toSet());
    }

    /** The target Deployment and the primary Ramp generates from it. */
    static Set<ResourceID> deploymentsOf(Rollout rollout) {
        String namespace = rollout.getMetadata().getNamespace();
        String target = rollout.getSpec().getTargetRef().getName();
        return Set.of(new ResourceID(target, namespace), new ResourceID(RolloutNames.primaryOf(target), namespace));
    }
}
