package dev.ramp.routing;

import dev.ramp.api.ForeignText;
import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RouteKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a Rollout's {@code spec.analysis.mirror} may be written on the Gateway API: only when
 * the implementation of every Gateway its route attaches to says it mirrors, in its GatewayClass's
 * {@code status.supportedFeatures} (Gateway API v1.2+): {@value #HTTP_FEATURE} for an HTTPRoute,
 * {@value #GRPC_FEATURE} for a GRPCRoute. A Gateway or GatewayClass not found, a class that
 * publishes no features, or one without the feature refuses it, naming the class and why: a
 * mirror an implementation does not carry out can break every request while the route says
 * Accepted (Traefik answers 500). The operator setting {@value GatewayApiRouter#MIRROR_SETTING}
 * {@code =true} takes precedence over all this: the operator's word for an implementation that
 * mirrors but publishes nothing. A pure function of the Rollout and the cached objects.
 */
public final class MirrorSupport {

    /** The GatewayClass feature of an implementation that carries out an HTTPRoute's RequestMirror filter. */
    public static final String HTTP_FEATURE = "HTTPRouteRequestMirror";
    /**
     * The GatewayClass feature of an implementation that carries out a GRPCRoute's RequestMirror
     * filter. The Gateway API v1.6.3 (pkg/features) defines none: this is the name its conformance
     * test of that filter goes by, accepted should an implementation publish it; until then a gRPC
     * mirror needs the operator setting.
     */
    public static final String GRPC_FEATURE = "GRPCRouteRequestMirror";
    private static final int QUOTED = 100;

    private MirrorSupport() {
    }

    /** Why the Rollout's mirror may not be written, naming {@code spec.analysis.mirror}; empty when it may (or none is asked). */
    public static Optional<String> refusal(Rollout rollout, GatewayClasses cached, boolean override) {
        var analysis = rollout.getSpec().getAnalysis();
        if (analysis == null || !Boolean.TRUE.equals(analysis.getMirror()) || override) {
            return Optional.empty();
        }
        String feature = RouteKind.of(rollout.getSpec().getService()) == RouteKind.GRPCRoute ? GRPC_FEATURE : HTTP_FEATURE;
        String namespace = rollout.getMetadata().getNamespace();
        List<ParentRef> refs = rollout.getSpec().getService().getParentRefs() == null ? List.of()
                : rollout.getSpec().getService().getParentRefs();
        List<String> why = new ArrayList<>();
        for (ParentRef ref : refs) {
            String gatewayNamespace = ref.getNamespace() == null ? namespace : ref.getNamespace();
            String gatewayName = "Gateway " + gatewayNamespace + "/" + ref.getName();
            Optional<Gateway> gateway = cached.gateway(gatewayNamespace, ref.getName());
            if (gateway.isEmpty()) {
                why.add(gatewayName + (cached.watched() ? " is not found" : " is not known yet (Gateways are not watched:"
                        + " the Gateway API CRDs are not installed)") + ", so its GatewayClass is unknown");
                continue;
            }
            String className = gateway.get().getSpec() == null ? null : gateway.get().getSpec().getGatewayClassName();
            Optional<GatewayClass> gatewayClass = className == null ? Optional.empty() : cached.gatewayClass(className);
            if (gatewayClass.isEmpty()) {
                why.add("GatewayClass " + cut(className) + " of " + gatewayName + " is not found");
                continue;
            }
            List<String> features = features(gatewayClass.get());
            String controller = gatewayClass.get().getSpec() == null ? "" : " (controller "
                    + cut(gatewayClass.get().getSpec().getControllerName()) + ")";
            if (features.isEmpty()) {
                why.add("GatewayClass " + cut(className) + controller + " of " + gatewayName
                        + " publishes no status.supportedFeatures, so it is not known to mirror");
            } else if (!features.contains(feature)) {
                why.add("GatewayClass " + cut(className) + controller + " of " + gatewayName + " does not list " + feature
                        + " in status.supportedFeatures" + (feature.equals(GRPC_FEATURE)
                                ? " (the Gateway API v1.6.3 defines no feature for a GRPCRoute's mirror)" : ""));
            }
        }
        if (why.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("spec.analysis.mirror: " + String.join("; ", why) + "; a mirror the implementation does not carry"
                + " out can fail every request while the route says Accepted (Traefik answers 500), so none is written;"
                + " the operator setting " + GatewayApiRouter.MIRROR_SETTING + "=true overrides this for an implementation"
                + " that mirrors but does not say so");
    }

    private static List<String> features(GatewayClass gatewayClass) {
        if (gatewayClass.getStatus() == null || gatewayClass.getStatus().getSupportedFeatures() == null) {
            return List.of();
        }
        return gatewayClass.getStatus().getSupportedFeatures().stream().map(SupportedFeature::getName)
                .filter(Objects::nonNull).toList();
    }

    /** Names come from other people's objects: cut and freed of control characters before they are quoted. */
    private static String cut(String text) {
        return ForeignText.quote(text, QUOTED);
    }
}
