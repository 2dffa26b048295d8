package dev.ramp.egress;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The addresses a tenant's URL may not reach by default, since they lie inside the operator's
 * trust: loopback (the operator's own ports, its sidecars'), unspecified addresses (which reach
 * the local host), link-local (node and cloud metadata services), the cluster's pod and service
 * ranges when the operator is told them ({@value #CLUSTER_SETTING}: every other team's Services,
 * past their NetworkPolicies, since the operator reaches every pod), and the operator's own
 * addresses. The {@link InClusterAllowList} lifts these refusals per namespace.
 */
final class TenantRanges {

    static final String CLUSTER_SETTING = EgressPolicy.CLUSTER_CIDRS_SETTING;

    /** 0.0.0.0/8: "this network", which Linux connects to the local host. */
    private static final Cidr THIS_NETWORK = Cidr.parse("0.0.0.0/8");

    private final List<Cidr> cluster;
    private final Set<InetAddress> own;
    private final InClusterAllowList allowed;

    TenantRanges(List<Cidr> cluster, Set<InetAddress> own, InClusterAllowList allowed) {
        this.cluster = cluster;
        this.own = own;
        this.allowed = allowed;
    }

    /** Whether a host:port entry for the namespace names this target: then no address of it is refused here. */
    boolean allows(String namespace, String host, int port) {
        return allowed.allows(namespace, host, port);
    }

    /** Why a tenant of {@code namespace} (null: unknown) may not reach the address, or empty. */
    Optional<String> refusal(String namespace, InetAddress address) {
        Optional<String> kind = kind(address);
        if (kind.isEmpty() || allowed.allows(namespace, address)) {
            return Optional.empty();
        }
        return Optional.of("address " + address.getHostAddress() + " is " + kind.get()
                + ", which tenant URLs may not reach unless the operator allows it for "
                + (namespace == null ? "the namespace" : "namespace " + namespace) + " (" + InClusterAllowList.SETTING + ")");
    }

    private Optional<String> kind(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isAnyLocalAddress() || THIS_NETWORK.contains(address)) {
            return Optional.of("unspecified");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        for (Cidr range : cluster) {
            if (range.contains(address)) {
                return Optional.of("in the cluster's pod or service range " + range + " (" + CLUSTER_SETTING + ")");
            }
        }
        if (own.contains(address)) {
            return Optional.of("the operator's own address");
        }
        return Optional.empty();
    }

    /** " (loopback)", " (link-local)", …: the class of an address a denied range holds, or nothing. */
    static String describe(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return " (loopback)";
        }
        if (address.isLinkLocalAddress()) {
            return " (link-local)";
        }
        return address.isAnyLocalAddress() ? " (unspecified)" : "";
    }
}
