package dev.ramp.testing;

import dev.ramp.egress.EgressPolicy;
import java.util.List;

/**
 * The egress policy the tests run the operator with: the operator's defaults, but with loopback
 * allowed to every namespace, since the tests' hooks, Prometheus and Git servers listen there.
 * Said explicitly, as a platform team would ({@code ramp.egress.in-cluster-allow}); the Quarkus
 * tests get the same from the {@code %test} profile.
 */
public final class LoopbackEgress {

    public static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1");

    private LoopbackEgress() {
    }

    public static EgressPolicy policy() {
        return EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY, EgressPolicy.DEFAULT_DENY_HOSTS, List.of(), LOOPBACK);
    }
}
