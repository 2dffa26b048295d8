package dev.ramp.rollout;

import dev.ramp.api.MetricTemplate;
import dev.ramp.api.ObjectRef;
import dev.ramp.api.Phase;
import dev.ramp.api.RampLabels;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.StatefulSetLabels;
import dev.ramp.autoscaling.ScaledObject;
import dev.ramp.kube.InstalledKinds;
import dev.ramp.kube.LeanItemStore;
import dev.ramp.kube.Managed;
import dev.ramp.routing.CachedGatewayClasses;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What wakes a Rollout and what its pass reads from caches: informers on its target and primary,
 * the MetricTemplates it names, its revision's Pods and the objects Ramp generates for it, and the
 * arrival of an answer from outside (a hook, a round of checks: {@link AsyncProbes#wakeups()}).
 * Nothing polls the target. The informers on Deployments, StatefulSets and HPAs hold only objects
 * labelled {@link RampLabels#ROLLOUT} ({@link TargetLabels}).
 *
 * <p>The router's kinds (Istio's VirtualService and DestinationRule) are custom kinds a cluster
 * may not have: an informer on a missing kind stops the operator's start and would leave its
 * readiness down. So each is watched only once its CRD is installed: an informer per CRD name
 * (a field selector; not every CRD of the cluster, which can be thousands of large objects)
 * wakes every Rollout when one arrives, changes the versions it serves or goes, and a pass then
 * registers the kind's informer with Java Operator SDK ({@link #watchInstalled}), or removes it.
 * Gateways and GatewayClasses, only read, are watched the same way ({@link GatewayMirrorSources}).
 */
public class RolloutEventSources {

    static final String BY_DEPLOYMENT = "rollout-by-deployment";
    static final String BY_STATEFULSET = "rollout-by-statefulset";
    static final String BY_TEMPLATE = "rollout-by-template";
    static final String BY_AUTOSCALER = "rollout-by-autoscaler";
    /** Index of the cached objects by namespace (the caches are read by namespace, never scanned). */
    static final String IN_NAMESPACE = "in-namespace";
    /** Index of the labelled Deployments, StatefulSets and HPAs by namespace and {@code ramp.dev/rollout} value. */
    static final String LABELLED_FOR = "labelled-for";
    /** Index of Ramp's pods by namespace and revision. */
    static final String OF_REVISION = "of-revision";
    private static final String CRD_PREFIX = "crd-";
    private static final String ROUTING_PREFIX = "routing-";

    private final List<Class<? extends HasMetadata>> routingKinds;
    private final CachedGatewayClasses gatewayClasses;
    /** The custom kinds watched once installed: the routers' and KEDA's ScaledObject (Ramp's copies). */
    private final List<Class<? extends HasMetadata>> optionalKinds;
    private final EventSource<?, Rollout> answers;
    private final RolloutMetrics metrics;

    /** {@code gatewayClasses}: filled from the Gateway and GatewayClass informers while those are watched. */
    public RolloutEventSources(List<Class<? extends HasMetadata>> routingKinds, CachedGatewayClasses gatewayClasses,
            EventSource<?, Rollout> answers) {
        this(routingKinds, gatewayClasses, answers, null);
    }

    /** The same, removing a deleted Rollout's series from {@code metrics}. */
    public RolloutEventSources(List<Class<? extends HasMetadata>> routingKinds, CachedGatewayClasses gatewayClasses,
            EventSource<?, Rollout> answers, RolloutMetrics metrics) {
        this.metrics = metrics;
        this.routingKinds = List.copyOf(routingKinds);
        this.gatewayClasses = gatewayClasses;
        List<Class<? extends HasMetadata>> optional = new ArrayList<>(routingKinds);
        optional.add(ScaledObject.class);
        this.optionalKinds = List.copyOf(optional);
        this.answers = answers;
    }

    public List<EventSource<?, Rollout>> prepare(EventSourceContext<Rollout> context) {
        List<EventSource<?, Rollout>> sources = new ArrayList<>();
        // The target, the primary and the baseline: a change to any wakes the Rollout at once. Only
        // Deployments carrying Ramp's label are cached: Ramp's own, and targets, which a pass labels
        // the first time it reads them (TargetLabels), not every Deployment of the watched namespaces.
        sources.add(named(Deployment.class, BY_DEPLOYMENT, RolloutEventSources::deploymentsOf, context, RampLabels.ROLLOUT));
        // A StatefulSet target (docs/statefulsets.md): its controller's status moving wakes the Rollout.
        sources.add(named(StatefulSet.class, BY_STATEFULSET, RolloutEventSources::statefulSetsOf, context, RampLabels.ROLLOUT));
        // The MetricTemplates a Rollout's metrics name: read from this cache at each check, and an
        // edited template wakes the Rollouts that use it.
        sources.add(named(MetricTemplate.class, BY_TEMPLATE, RolloutEventSources::templatesOf, context, null));
        // The target's HPA and the primary's copy: an edit of the first in Git reaches the copy, and
        // an edited or deleted copy is put back. The target's is labelled as the target is.
        sources.add(named(HorizontalPodAutoscaler.class, BY_AUTOSCALER, RolloutEventSources::autoscalersOf, context,
                RampLabels.ROLLOUT));
        // The Pods of Ramp's revisions, read when a canary misses its deadline to tell why (CanaryStall).
        // They wake nothing: the deadline's own reschedule reads them.
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, Rollout.class)
                .withLabelSelector(RampLabels.REVISION).withSecondaryToPrimaryMapper(pod -> Set.of())
                .withItemStore(new LeanItemStore<>()).build(), context);
        pods.addIndexers(Map.of(OF_REVISION, pod -> keys(pod, RampLabels.REVISION)));
        sources.add(pods);
        // What Ramp generates (owned by their Rollout): a deleted or edited Service or routing object
        // wakes it. The routing kinds' informers are registered by watchInstalled once their CRDs are.
        sources.add(generated(Service.class, context));
        for (Class<? extends HasMetadata> kind : optionalKinds) {
            sources.add(definitionOf(kind, context));
        }
        // Gateways and GatewayClasses, read (never written) for what a route's implementation supports
        // (GatewayMirrorSources): watched, like the routing kinds, once their CRDs are installed.
        for (Class<? extends HasMetadata> kind : GatewayMirrorSources.KINDS) {
            sources.add(definitionOf(kind, context));
        }
        // An answer from outside came in: the pass that was holding for it goes on.
        sources.add(answers);
        if (metrics != null) {
            // Without a finalizer no reconcile sees a deletion: this hears it from the Rollouts' informer.
            sources.add(new DeletedRollouts(metrics));
        }
        return sources;
    }

    /**
     * An informer on the objects of a kind that Rollouts name ({@code names}), indexed to find the
     * Rollouts naming one; only those carrying the label {@code selector} when one is given.
     */
    private static <R extends HasMetadata> EventSource<R, Rollout> named(Class<R> kind, String index,
            Function<Rollout, Set<ResourceID>> names, EventSourceContext<Rollout> context, String selector) {
        context.getPrimaryCache().addIndexer(index, rollout -> names.apply(rollout).stream().map(ResourceID::toString).toList());
        var configuration = InformerEventSourceConfiguration.from(kind, Rollout.class)
                .withLabelSelector(selector)
                .withSecondaryToPrimaryMapper(object -> context.getPrimaryCache()
                        .byIndex(index, ResourceID.fromResource(object).toString()).stream()
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((Rollout rollout) -> names.apply(rollout));
        // A StatefulSet's field managers are read (a partition declared in Git); no other kind's are.
        if (kind != StatefulSet.class) {
            configuration.withItemStore(new LeanItemStore<>());
        }
        var informer = new InformerEventSource<>(configuration.build(), context);
        informer.addIndexers(Map.of(IN_NAMESPACE, object -> List.of(object.getMetadata().getNamespace()),
                LABELLED_FOR, object -> keys(object, RampLabels.ROLLOUT)));
        return informer;
    }

    /** The index key of {@code object} by its namespace and the value of its label {@code label}; none without the label. */
    private static List<String> keys(HasMetadata object, String label) {
        Map<String, String> labels = object.getMetadata().getLabels();
        String value = labels == null ? null : labels.get(label);
        return value == null ? List.of() : List.of(key(object.getMetadata().getNamespace(), value));
    }

    private static String key(String namespace, String value) {
        return namespace + "/" + value;
    }

    /** The cached objects of {@code informer} (one {@link #named} built) in {@code namespace} labelled for the Rollout {@code value}. */
    static <R extends HasMetadata> List<R> labelledFor(InformerEventSource<R, Rollout> informer, String namespace, String value) {
        return informer.byIndex(LABELLED_FOR, key(namespace, value));
    }

    private static <R extends HasMetadata> EventSource<R, Rollout> generated(Class<R> kind, EventSourceContext<Rollout> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(kind, Rollout.class)
                .withLabelSelector(Managed.MANAGED_BY_SELECTOR).withItemStore(new LeanItemStore<>()).build(), context);
    }

    /**
     * An informer on the one CRD that installs {@code kind}: its arrival, a change to the versions
     * it serves, or its removal wakes every Rollout, since any may be held for it or route by it.
     */
    private static EventSource<CustomResourceDefinition, Rollout> definitionOf(Class<? extends HasMetadata> kind,
            EventSourceContext<Rollout> context) {
        String crd = InstalledKinds.crdName(kind);
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(CustomResourceDefinition.class, Rollout.class)
                .withName(CRD_PREFIX + crd)
                // Cluster-scoped: not the namespaces a shard's Rollouts are limited to (docs/scale.md).
                .withWatchAllNamespaces()
                .withFieldSelector(new FieldSelector(new FieldSelector.Field("metadata.name", crd)))
                .withOnUpdateFilter((now, before) -> !InstalledKinds.servedVersions(now).equals(InstalledKinds.servedVersions(before)))
                .withSecondaryToPrimaryMapper(definition -> context.getPrimaryCache().list()
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((Rollout rollout) -> Set.of(new ResourceID(crd)))
                .build(), context);
    }

    /**
     * Which of the router's kinds are installed, from the CRDs' caches, with an informer on each
     * of those (registered now if it was not: this waits for its first list) and none on the
     * others (an informer whose CRD was removed is stopped). Runs on the leader's reconcile
     * threads only; after a lost Lease the new operator's first passes register them again.
     */
    InstalledKinds watchInstalled(Context<Rollout> context) {
        InstalledKinds installed = InstalledKinds.of(context.getSecondaryResources(CustomResourceDefinition.class));
        EventSourceRetriever<Rollout> retriever = context.eventSourceRetriever();
        for (Class<? extends HasMetadata> kind : optionalKinds) {
            String name = ROUTING_PREFIX + InstalledKinds.crdName(kind);
            boolean watched = retriever.getEventSourcesFor(kind).stream()
                    .anyMatch(source -> source instanceof AbstractEventSource<?, ?> a && a.isRunning());
            if (installed.serves(kind) && !watched) {
                register(retriever, kind, name);
            } else if (!installed.serves(kind) && !retriever.getEventSourcesFor(kind).isEmpty()) {
                retriever.dynamicallyDeRegisterEventSource(name);
            }
        }
        GatewayMirrorSources.watchInstalled(retriever, installed, gatewayClasses);
        return installed;
    }

    /**
     * Registers and starts the informer on {@code kind}, or waits for the one another pass is
     * starting (Java Operator SDK registers one per name, and its start is synchronised). One
     * that fails to start is removed again, so that the retry of this pass starts it afresh.
     */
    private static <R extends HasMetadata> void register(EventSourceRetriever<Rollout> retriever, Class<R> kind, String name) {
        EventSourceContext<Rollout> context = retriever.eventSourceContextForDynamicRegistration();
        var configuration = InformerEventSourceConfiguration.from(kind, Rollout.class).withName(name)
                .withItemStore(new LeanItemStore<>());
        if (kind == ScaledObject.class) {
            // The target's ScaledObject is the user's (no label of Ramp's): every ScaledObject is
            // watched, as HPAs are, and mapped to the Rollouts of its namespace that name it, or
            // that paused it before (FormerAutoscalers: repointed elsewhere, its pause goes).
            configuration.withSecondaryToPrimaryMapper(object -> context.getPrimaryCache()
                            .list(object.getMetadata().getNamespace())
                            .filter(rollout -> scaledObjectsOf(rollout).contains(ResourceID.fromResource(object))
                                    || rollout.getMetadata().getName().equals(markedBy(object)))
                            .map(ResourceID::fromResource).collect(Collectors.toSet()))
                    .withPrimaryToSecondaryMapper((Rollout rollout) -> scaledObjectsOf(rollout));
        } else {
            configuration.withLabelSelector(Managed.MANAGED_BY_SELECTOR);
        }
        var informer = new InformerEventSource<>(configuration.build(), context);
        informer.addIndexers(Map.of(IN_NAMESPACE, object -> List.of(object.getMetadata().getNamespace())));
        started(retriever, informer);
    }

    /**
     * Registers and starts {@code informer} (this waits for its first list); one that fails to
     * start is removed again, so that the retry of the pass starts it afresh.
     */
    static <R extends HasMetadata> InformerEventSource<R, Rollout> started(EventSourceRetriever<Rollout> retriever,
            InformerEventSource<R, Rollout> informer) {
        try {
            retriever.dynamicallyRegisterEventSource(informer);
        } catch (RuntimeException e) {
            retriever.dynamicallyDeRegisterEventSource(informer.name());
            throw e;
        }
        return informer;
    }

    /** The routing objects of a Rollout in the informers' caches (none of a kind not watched). */
    List<HasMetadata> cachedRouting(Context<Rollout> context) {
        List<HasMetadata> cached = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : routingKinds) {
            cached.addAll(context.getSecondaryResources(kind));
        }
        return cached;
    }

    /** The Rollout's ScaledObjects (the target's, Ramp's copy) in the informer's cache; empty when KEDA's CRD is not installed. */
    Optional<List<ScaledObject>> cachedScaledObjects(Context<Rollout> context) {
        return scaledObjectInformer(context).map(informer -> List.copyOf(context.getSecondaryResources(ScaledObject.class)));
    }

    /**
     * Every ScaledObject of the Rollout's namespace in the informer's cache (those it names, and
     * those it named before: Ramp's former copies, the former target's); empty when KEDA's CRD is
     * not installed.
     */
    Optional<List<ScaledObject>> namespaceScaledObjects(Context<Rollout> context, Rollout rollout) {
        return scaledObjectInformer(context).map(informer -> informer.byIndex(IN_NAMESPACE, rollout.getMetadata().getNamespace()));
    }

    /** Every HPA of the Rollout's namespace in the informer's cache (the target's, Ramp's copy, former copies). */
    @SuppressWarnings("unchecked")
    static List<HorizontalPodAutoscaler> namespaceHpas(Context<Rollout> context, Rollout rollout) {
        var hpas = (InformerEventSource<HorizontalPodAutoscaler, Rollout>) context.eventSourceRetriever()
                .getEventSourceFor(HorizontalPodAutoscaler.class);
        return hpas.byIndex(IN_NAMESPACE, rollout.getMetadata().getNamespace());
    }

    @SuppressWarnings("unchecked")
    private static Optional<InformerEventSource<ScaledObject, Rollout>> scaledObjectInformer(Context<Rollout> context) {
        return context.eventSourceRetriever().getEventSourcesFor(ScaledObject.class).stream()
                .filter(source -> source instanceof InformerEventSource<?, ?> a && a.isRunning())
                .map(source -> (InformerEventSource<ScaledObject, Rollout>) source).findFirst();
    }

    /** The cached Pods of the revision being released, in the Rollout's namespace. */
    @SuppressWarnings("unchecked")
    static List<Pod> releasePods(Context<Rollout> context, Rollout rollout) {
        String revision = rollout.getStatus().getLastAppliedRevision();
        if (revision == null) {
            return List.of();
        }
        var pods = (InformerEventSource<Pod, Rollout>) context.eventSourceRetriever().getEventSourceFor(Pod.class);
        return pods.byIndex(OF_REVISION, key(rollout.getMetadata().getNamespace(), revision));
    }

    static Optional<Deployment> deployment(Context<Rollout> context, String name) {
        return context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(name)).findFirst();
    }

    /**
     * The MetricTemplates a Rollout's metrics and its minimum sample ({@code requestsTemplateRef})
     * refer to (a reference without namespace is to the Rollout's).
     */
    static Set<ResourceID> templatesOf(Rollout rollout) {
        var analysis = rollout.getSpec().getAnalysis();
        if (analysis == null) {
            return Set.of();
        }
        List<ObjectRef> refs = new ArrayList<>();
        if (analysis.getMetrics() != null) {
            analysis.getMetrics().forEach(m -> refs.add(m.getTemplateRef()));
        }
        refs.add(analysis.getRequestsTemplateRef());
        String namespace = rollout.getMetadata().getNamespace();
        return refs.stream().filter(ref -> ref != null && ref.getName() != null)
                .map(ref -> new ResourceID(ref.getName(), ref.getNamespace() == null ? namespace : ref.getNamespace()))
                .collect(Collectors.toSet());
    }

    private static String markedBy(HasMetadata object) {
        var annotations = object.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RampLabels.AUTOSCALER_OF);
    }

    /** The target's HorizontalPodAutoscaler and Ramp's copy of it, when the Rollout names one. */
    static Set<ResourceID> autoscalersOf(Rollout rollout) {
        return autoscalersOf(rollout, true);
    }

    /** The target's ScaledObject and Ramp's copy of it, when the Rollout names one. */
    static Set<ResourceID> scaledObjectsOf(Rollout rollout) {
        return autoscalersOf(rollout, false);
    }

    private static Set<ResourceID> autoscalersOf(Rollout rollout, boolean hpa) {
        var ref = rollout.getSpec().getAutoscalerRef();
        if (ref == null || ref.isHpa() != hpa || ref.getName() == null) {
            return Set.of();
        }
        String namespace = rollout.getMetadata().getNamespace();
        return Set.of(new ResourceID(ref.getName(), namespace),
                new ResourceID(RolloutNames.primaryAutoscalerOf(ref.getName()), namespace));
    }

    /**
     * The pods of a StatefulSet's release revision, read from the API server at a pass that finds a
     * step past its progress deadline, to tell why it is not ready ({@link CanaryStall}); none at
     * any other pass. Ramp caches no pod of a StatefulSet: they carry no label of Ramp's, and the
     * deadline is rare.
     */
    static List<Pod> stalledStatefulSetPods(Context<Rollout> context, Rollout rollout, StatefulSet set, Instant now) {
        RolloutStatus status = rollout.getStatus();
        if (status == null || status.getPhase() != Phase.Progressing || status.getLastAppliedRevision() == null
                || new StepClock(AnalysisSettings.of(rollout), status, now).untilReadinessDeadline().isPresent()) {
            return List.of();
        }
        return context.getClient().pods().inNamespace(set.getMetadata().getNamespace())
                .withLabels(StatefulSetLabels.selector(set.getSpec().getSelector().getMatchLabels(), status.getLastAppliedRevision()))
                .list().getItems();
    }

    static Optional<StatefulSet> statefulSet(Context<Rollout> context, String name) {
        return context.getSecondaryResources(StatefulSet.class).stream()
                .filter(s -> s.getMetadata().getName().equals(name)).findFirst();
    }

    /** The target StatefulSet, when the Rollout names one. */
    static Set<ResourceID> statefulSetsOf(Rollout rollout) {
        if (!rollout.getSpec().getTargetRef().isStatefulSet()) {
            return Set.of();
        }
        return Set.of(new ResourceID(rollout.getSpec().getTargetRef().getName(), rollout.getMetadata().getNamespace()));
    }

    /**
     * The target Deployment and the primary Ramp generates from it, and the baseline it runs during a
     * release with analysis.baseline (none for a StatefulSet target).
     */
    static Set<ResourceID> deploymentsOf(Rollout rollout) {
        if (rollout.getSpec().getTargetRef().isStatefulSet()) {
            return Set.of();
        }
        String namespace = rollout.getMetadata().getNamespace();
        String target = rollout.getSpec().getTargetRef().getName();
        return Set.of(new ResourceID(target, namespace), new ResourceID(RolloutNames.primaryOf(target), namespace),
                new ResourceID(RolloutNames.baselineOf(target), namespace));
    }
}
