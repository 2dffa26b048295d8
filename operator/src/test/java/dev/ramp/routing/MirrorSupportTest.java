package dev.ramp.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceProtocol;
import dev.ramp.api.ServiceSpec;
import dev.ramp.api.TargetRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeatureBuilder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a Rollout's mirror may be written on the Gateway API: the decision, from cached Gateways and GatewayClasses. */
class MirrorSupportTest {

    private final Map<String, Gateway> gateways = new HashMap<>();
    private final Map<String, GatewayClass> classes = new HashMap<>();
    private boolean watched = true;
    private final GatewayClasses cached = new GatewayClasses() {
        @Override
        public boolean watched() {
            return watched;
        }

        @Override
        public Optional<Gateway> gateway(String namespace, String name) {
            return Optional.ofNullable(gateways.get(namespace + "/" + name));
        }

        @Override
        public Optional<GatewayClass> gatewayClass(String name) {
            return Optional.ofNullable(classes.get(name));
        }
    };

    @Test
    void aMirrorIsAllowedWhenEveryGatewaysClassListsTheFeature() {
        gateway("shop", "public", "traefik");
        gateway("gateways", "edge", "envoy");
        gatewayClass("traefik", "Gateway", "HTTPRoute", MirrorSupport.HTTP_FEATURE);
        gatewayClass("envoy", MirrorSupport.HTTP_FEATURE, "HTTPRouteRequestMultipleMirrors");

        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.HTTP), cached, false)).isEmpty();
    }

    @Test
    void oneGatewayWhoseClassLacksTheFeatureRefusesNamingThatClassOnly() {
        gateway("shop", "public", "traefik");
        gateway("gateways", "edge", "envoy");
        gatewayClass("traefik", "Gateway", "HTTPRoute");
        gatewayClass("envoy", MirrorSupport.HTTP_FEATURE);

        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.HTTP), cached, false)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("spec.analysis.mirror: GatewayClass traefik (controller example.com/traefik) of Gateway shop/public"
                        + " does not list HTTPRouteRequestMirror in status.supportedFeatures;")
                .doesNotContain("envoy")
                .contains("ramp.routing.gateway-api.request-mirror=true overrides this"));
    }

    @Test
    void aClassThatPublishesNoFeaturesIsNotKnownToMirror() {
        gateway("shop", "public", "traefik");
        gateway("gateways", "edge", "traefik");
        gatewayClass("traefik");

        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.HTTP), cached, false)).hasValueSatisfying(m -> assertThat(m)
                .contains("GatewayClass traefik (controller example.com/traefik) of Gateway shop/public publishes no"
                        + " status.supportedFeatures, so it is not known to mirror"));
    }

    @Test
    void theOperatorSettingOverridesWhatTheClassesPublish() {
        gateway("shop", "public", "traefik");
        gatewayClass("traefik", "Gateway");

        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.HTTP), cached, true)).isEmpty();
    }

    @Test
    void noMirrorAskedNothingToDecide() {
        assertThat(MirrorSupport.refusal(rollout(false, ServiceProtocol.HTTP), cached, false)).isEmpty();
    }

    @Test
    void aGrpcRouteNeedsTheGrpcFeature() {
        gateway("shop", "public", "envoy");
        gateway("gateways", "edge", "envoy");
        gatewayClass("envoy", MirrorSupport.HTTP_FEATURE);

        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.GRPC), cached, false)).hasValueSatisfying(m -> assertThat(m)
                .contains("does not list GRPCRouteRequestMirror in status.supportedFeatures (the Gateway API v1.6.3 defines"
                        + " no feature for a GRPCRoute's mirror)"));
        gatewayClass("envoy", MirrorSupport.HTTP_FEATURE, MirrorSupport.GRPC_FEATURE);
        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.GRPC), cached, false)).isEmpty();
    }

    @Test
    void aGatewayOrClassNotFoundOrNotWatchedIsNamed() {
        gateway("shop", "public", "gone");

        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.HTTP), cached, false)).hasValueSatisfying(m -> assertThat(m)
                .contains("GatewayClass gone of Gateway shop/public is not found")
                .contains("Gateway gateways/edge is not found, so its GatewayClass is unknown"));
        watched = false;
        gateways.clear();
        assertThat(MirrorSupport.refusal(rollout(true, ServiceProtocol.HTTP), cached, false)).hasValueSatisfying(m -> assertThat(m)
                .contains("Gateway shop/public is not known yet (Gateways are not watched: the Gateway API CRDs are not installed)"));
    }

    private void gateway(String namespace, String name, String className) {
        gateways.put(namespace + "/" + name, new GatewayBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withGatewayClassName(className).endSpec().build());
    }

    private void gatewayClass(String name, String... features) {
        GatewayClassBuilder builder = new GatewayClassBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withControllerName("example.com/" + name).endSpec();
        if (features.length > 0) {
            builder.withNewStatus().withSupportedFeatures(Arrays.stream(features)
                    .map(f -> new SupportedFeatureBuilder().withName(f).build()).toList()).endStatus();
        }
        classes.put(name, builder.build());
    }

    private static Rollout rollout(boolean mirror, ServiceProtocol protocol) {
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("podinfo").build());
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef("podinfo"));
        ServiceSpec service = new ServiceSpec();
        service.setPort(9898);
        service.setProvider(RoutingProvider.GatewayAPI);
        service.setProtocol(protocol);
        service.setParentRefs(List.of(new ParentRef("public", null), new ParentRef("edge", "gateways")));
        spec.setService(service);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setMirror(mirror);
        spec.setAnalysis(analysis);
        rollout.setSpec(spec);
        return rollout;
    }
}
