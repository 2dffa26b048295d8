package dev.ramp.routing;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@link GatewayClasses} backed by the informers the Rollout controller registers once the
 * Gateway API's CRDs are installed ({@code RolloutEventSources}), which hands their caches in
 * with {@link #use} and takes them back with {@link #forget} when the CRDs go. Until then it knows
 * nothing, and a mirror is refused as not known to be supported.
 */
public final class CachedGatewayClasses implements GatewayClasses {

    private record Caches(BiFunction<String, String, Optional<Gateway>> gateways,
            Function<String, Optional<GatewayClass>> classes) {
    }

    private volatile Caches caches;

    /** From now on, read Gateways (by namespace and name) and GatewayClasses (by name) from these caches. */
    public void use(BiFunction<String, String, Optional<Gateway>> gateways, Function<String, Optional<GatewayClass>> classes) {
        caches = new Caches(gateways, classes);
    }

    /** The informers were stopped (the CRDs removed): nothing is known any more. */
    public void forget() {
        caches = null;
    }

    @Override
    public boolean watched() {
        return caches != null;
    }

    @Override
    public Optional<Gateway> gateway(String namespace, String name) {
        Caches c = caches;
        return c == null ? Optional.empty() : c.gateways().apply(namespace, name);
    }

    @Override
    public Optional<GatewayClass> gatewayClass(String name) {
        Caches c = caches;
        return c == null ? Optional.empty() : c.classes().apply(name);
    }
}
