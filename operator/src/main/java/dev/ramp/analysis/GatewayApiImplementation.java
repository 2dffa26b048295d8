package dev.ramp.analysis;

import java.util.Locale;
import java.util.Optional;

/**
 * The Gateway API implementation that serves the operator's GatewayAPI Rollouts, as its setting
 * {@value #SETTING} names it, and so whose telemetry the built-in metrics read there: Traefik's
 * service metrics ({@value #TRAEFIK}, the default), Istio's standard metrics ({@value #ISTIO},
 * Istio in Gateway API mode, with sidecars on the target's pods), or none for any other name (e.g.
 * {@code envoy-gateway}): a Rollout there judges its canary with MetricTemplates only.
 *
 * <p>A setting rather than the Gateway's GatewayClass {@code controllerName}: the analysis reads no
 * Kubernetes object, and a cluster runs one implementation for the Gateways Ramp routes through in
 * all but rare cases; a name without presets is said in the metric's condition, never queried.
 */
public record GatewayApiImplementation(String name) {

    public static final String SETTING = "ramp.metrics.gateway-api";
    public static final String TRAEFIK = "traefik";
    public static final String ISTIO = "istio";

    public GatewayApiImplementation {
        name = name == null || name.isBlank() ? TRAEFIK : name.trim().toLowerCase(Locale.ROOT);
    }

    public static GatewayApiImplementation traefik() {
        return new GatewayApiImplementation(TRAEFIK);
    }

    /** The built-in queries on this implementation's telemetry; empty when it has none. */
    public Optional<BuiltinQueries> presets() {
        return switch (name) {
            case TRAEFIK -> Optional.of(TraefikQueries.INSTANCE);
            case ISTIO -> Optional.of(IstioQueries.INSTANCE);
            default -> Optional.empty();
        };
    }
}
