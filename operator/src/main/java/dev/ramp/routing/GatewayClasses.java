package dev.ramp.routing;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import java.util.Optional;

/**
 * The Gateways and GatewayClasses of the cluster as the operator's informers hold them, for what
 * a route may ask of its Gateways' implementation ({@link MirrorSupport}). Read from caches only:
 * never a request per reconcile.
 */
public interface GatewayClasses {

    /** Nothing known: the Gateway API's kinds are not installed, or not watched yet. */
    GatewayClasses NONE = new GatewayClasses() {
        @Override
        public boolean watched() {
            return false;
        }

        @Override
        public Optional<Gateway> gateway(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<GatewayClass> gatewayClass(String name) {
            return Optional.empty();
        }
    };

    /** Whether Gateways and GatewayClasses are watched (their CRDs are installed and the informers started). */
    boolean watched();

    Optional<Gateway> gateway(String namespace, String name);

    Optional<GatewayClass> gatewayClass(String name);
}
