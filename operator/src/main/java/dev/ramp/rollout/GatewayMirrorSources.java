package dev.ramp.rollout;

import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingProvider;
import dev.ramp.kube.InstalledKinds;
import dev.ramp.routing.CachedGatewayClasses;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The informers on Gateways and GatewayClasses (of every namespace: a route's Gateway is often in
 * another), registered once their CRDs are installed, whose caches the Gateway API router decides
 * a mirror by ({@link CachedGatewayClasses}). They wake only the Rollouts that ask for a mirror on
 * the Gateway API: a GatewayClass whose {@code status.supportedFeatures} change wakes all of them
 * (few, and such a change is rare), a Gateway whose class changes those that name it. Nothing
 * else about either (a controller's status writes on Gateways) wakes anything.
 */
final class GatewayMirrorSources {

    static final List<Class<? extends HasMetadata>> KINDS = List.of(Gateway.class, GatewayClass.class);
    private static final String GATEWAYS = "gateway-api-gateways";
    private static final String CLASSES = "gateway-api-gatewayclasses";

    private GatewayMirrorSources() {
    }

    /** Registers both informers once both kinds are served, and hands their caches to {@code cached}; forgets them when either goes. */
    static void watchInstalled(EventSourceRetriever<Rollout> retriever, InstalledKinds installed, CachedGatewayClasses cached) {
        if (!installed.serves(Gateway.class) || !installed.serves(GatewayClass.class)) {
            cached.forget();
            deRegister(retriever, Gateway.class, GATEWAYS);
            deRegister(retriever, GatewayClass.class, CLASSES);
            return;
        }
        InformerEventSource<Gateway, Rollout> gateways = running(retriever, Gateway.class, GATEWAYS)
                .orElseGet(() -> RolloutEventSources.started(retriever, gateways(retriever)));
        InformerEventSource<GatewayClass, Rollout> classes = running(retriever, GatewayClass.class, CLASSES)
                .orElseGet(() -> RolloutEventSources.started(retriever, classes(retriever)));
        cached.use((namespace, name) -> gateways.get(new ResourceID(name, namespace)), name -> classes.get(new ResourceID(name)));
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> Optional<InformerEventSource<R, Rollout>> running(EventSourceRetriever<Rollout> retriever,
            Class<R> kind, String name) {
        return retriever.getEventSourcesFor(kind).stream()
                .filter(s -> name.equals(s.name()) && s instanceof InformerEventSource<?, ?> i && i.isRunning())
                .map(s -> (InformerEventSource<R, Rollout>) s).findFirst();
    }

    private static <R extends HasMetadata> void deRegister(EventSourceRetriever<Rollout> retriever, Class<R> kind, String name) {
        if (retriever.getEventSourcesFor(kind).stream().anyMatch(s -> name.equals(s.name()))) {
            retriever.dynamicallyDeRegisterEventSource(name);
        }
    }

    private static InformerEventSource<Gateway, Rollout> gateways(EventSourceRetriever<Rollout> retriever) {
        var context = retriever.eventSourceContextForDynamicRegistration();
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(Gateway.class, Rollout.class)
                .withName(GATEWAYS).withNamespaces(Set.of(Constants.WATCH_ALL_NAMESPACES))
                .withOnUpdateFilter((now, before) -> !Objects.equals(className(now), className(before)))
                .withSecondaryToPrimaryMapper(gateway -> mirroring(context.getPrimaryCache().list(),
                        rollout -> names(rollout, gateway)))
                .withPrimaryToSecondaryMapper((Rollout rollout) -> Set.of())
                .build(), context);
    }

    private static InformerEventSource<GatewayClass, Rollout> classes(EventSourceRetriever<Rollout> retriever) {
        var context = retriever.eventSourceContextForDynamicRegistration();
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(GatewayClass.class, Rollout.class)
                .withName(CLASSES).withNamespaces(Set.of(Constants.WATCH_ALL_NAMESPACES))
                .withOnUpdateFilter((now, before) -> !Objects.equals(features(now), features(before)))
                .withSecondaryToPrimaryMapper(gatewayClass -> mirroring(context.getPrimaryCache().list(), rollout -> true))
                .withPrimaryToSecondaryMapper((Rollout rollout) -> Set.of())
                .build(), context);
    }

    /** The Rollouts that ask for a mirror on the Gateway API and match {@code which}. */
    private static Set<ResourceID> mirroring(Stream<Rollout> rollouts, Predicate<Rollout> which) {
        return rollouts.filter(r -> r.getSpec() != null && r.getSpec().getService() != null
                        && r.getSpec().getService().effectiveProvider() == RoutingProvider.GatewayAPI
                        && r.getSpec().getAnalysis() != null && Boolean.TRUE.equals(r.getSpec().getAnalysis().getMirror()))
                .filter(which).map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    private static boolean names(Rollout rollout, Gateway gateway) {
        List<ParentRef> refs = rollout.getSpec().getService().getParentRefs();
        String namespace = rollout.getMetadata().getNamespace();
        return refs != null && refs.stream().anyMatch(ref -> ref.getName().equals(gateway.getMetadata().getName())
                && (ref.getNamespace() == null ? namespace : ref.getNamespace()).equals(gateway.getMetadata().getNamespace()));
    }

    private static String className(Gateway gateway) {
        return gateway.getSpec() == null ? null : gateway.getSpec().getGatewayClassName();
    }

    private static Object features(GatewayClass gatewayClass) {
        return gatewayClass.getStatus() == null ? null : gatewayClass.getStatus().getSupportedFeatures();
    }
}
