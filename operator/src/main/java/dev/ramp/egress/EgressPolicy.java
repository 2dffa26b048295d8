package dev.ramp.egress;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where the operator may connect on a tenant's behalf: webhook URLs, MetricTemplate provider
 * addresses and Git remotes. A host is resolved and every address it resolves to is checked; one
 * refused address refuses the request. In order:
 * <ol>
 * <li>host names the operator denies (metadata endpoints), before any lookup;</li>
 * <li>ranges the operator denies ({@code ramp.egress.deny-cidrs}: link-local, which holds the
 * clouds' metadata address, by default), whatever else says;</li>
 * <li>with an allow list ({@code ramp.egress.allow-cidrs}), addresses outside it;</li>
 * <li>for tenant URLs, {@link TenantRanges}: loopback, link-local, unspecified, the cluster's pod
 * and service ranges when the operator is told them, and the operator's own addresses, unless
 * {@link InClusterAllowList} allows the target for the tenant's namespace.</li>
 * </ol>
 * A {@link #trusted()} view skips the last step, for addresses the operator's own settings name
 * (its default Prometheus). {@link #resolve} is the one check: it looks the host up once and
 * returns exactly the addresses it checked, so that a client connects to those (hooks and metric
 * providers through {@link BoundedExchange}, Git's HTTP transfers through their pinned
 * connections), not to the answer of a second lookup that a rebinding DNS server chose. A client
 * that looks the name up itself (sshd) has the address it reached checked with
 * {@link #refusal(String, int, InetAddress)} before it sends anything.
 */
public final class EgressPolicy {

    /** Link-local (which holds 169.254.169.254), AWS's IPv6 metadata address, Alibaba Cloud's metadata address. */
    public static final List<String> DEFAULT_DENY = List.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128",
            "100.100.100.200/32");
    /** Metadata host names, refused before any lookup. */
    public static final List<String> DEFAULT_DENY_HOSTS = List.of("metadata.google.internal", "metadata.goog");
    /** The setting naming the cluster's pod and service ranges, which tenant URLs may not reach by default. */
    public static final String CLUSTER_CIDRS_SETTING = "ramp.egress.cluster-cidrs";

    /** How a host name becomes addresses: the system's resolver, or a test's. */
    @FunctionalInterface
    public interface NameLookup {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    /**
     * A host looked up once for a connection: the addresses it may go to, every one checked, or
     * why it may not be made. No addresses and no refusal: the host does not resolve.
     */
    public record Resolution(List<InetAddress> addresses, Optional<String> refusal) {
    }

    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final Set<String> denyHosts;
    private final TenantRanges tenant;
    private final String namespace;
    private final NameLookup lookup;

    private EgressPolicy(List<Cidr> allow, List<Cidr> deny, Set<String> denyHosts, TenantRanges tenant, String namespace,
            NameLookup lookup) {
        this.allow = allow;
        this.deny = deny;
        this.denyHosts = denyHosts;
        this.tenant = tenant;
        this.namespace = namespace;
        this.lookup = lookup;
    }

    /**
     * The default policy: {@link #DEFAULT_DENY} and {@link #DEFAULT_DENY_HOSTS} refused, and for
     * tenant URLs loopback, link-local, unspecified and the operator's own addresses; everything
     * else allowed.
     */
    public static EgressPolicy defaults() {
        return of(List.of(), DEFAULT_DENY, DEFAULT_DENY_HOSTS);
    }

    /**
     * As {@link #of(List, List, List, List, List)} without cluster ranges or in-cluster allow list.
     *
     * @param allow when not empty, the only ranges connections may go to
     * @param deny ranges never connected to, whatever {@code allow} says
     * @param denyHosts host names never connected to
     * @throws IllegalArgumentException naming an entry that is not a CIDR range
     */
    public static EgressPolicy of(List<String> allow, List<String> deny, List<String> denyHosts) {
        return of(allow, deny, denyHosts, List.of(), List.of());
    }

    /**
     * The policy of the operator's settings ({@code ramp.egress.*}).
     *
     * @param clusterCidrs the cluster's pod and service ranges, refused to tenant URLs ({@value #CLUSTER_CIDRS_SETTING})
     * @param inClusterAllowed what tenants may reach nevertheless ({@value InClusterAllowList#SETTING})
     * @throws IllegalArgumentException naming an entry that is not a CIDR range (or host:port)
     */
    public static EgressPolicy of(List<String> allow, List<String> deny, List<String> denyHosts, List<String> clusterCidrs,
            List<String> inClusterAllowed) {
        Set<String> hosts = denyHosts.stream().map(String::strip).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        TenantRanges tenant = new TenantRanges(parse(clusterCidrs), ownAddresses(), InClusterAllowList.of(inClusterAllowed));
        return new EgressPolicy(parse(allow), parse(deny), hosts, tenant, null, InetAddress::getAllByName);
    }

    private static List<Cidr> parse(List<String> ranges) {
        return ranges.stream().map(String::strip).filter(r -> !r.isEmpty()).map(Cidr::parse).toList();
    }

    /** Every address of the operator's network interfaces: its pod's, and its sidecars' ports on it. */
    private static Set<InetAddress> ownAddresses() {
        try {
            return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .collect(Collectors.toUnmodifiableSet());
        } catch (SocketException e) {
            // Without the list, the pod's address is still refused through the cluster ranges, when given.
            return Set.of();
        }
    }

    /** This policy for URLs of a tenant in {@code namespace}: its entries of the in-cluster allow list apply too. */
    public EgressPolicy forNamespace(String namespace) {
        return new EgressPolicy(allow, deny, denyHosts, tenant, namespace, lookup);
    }

    /**
     * This policy for addresses the operator's own settings name (its default Prometheus): denied
     * host names and ranges and the allow list hold, the refusals for tenant URLs do not.
     */
    public EgressPolicy trusted() {
        return new EgressPolicy(allow, deny, denyHosts, null, namespace, lookup);
    }

    /** This policy looking host names up with {@code lookup} (tests: a DNS server that rebinds). */
    public EgressPolicy resolvingWith(NameLookup lookup) {
        return new EgressPolicy(allow, deny, denyHosts, tenant, namespace, lookup);
    }

    /**
     * Why a connection to {@code uri} is refused, or empty when it is allowed: {@link #resolve}
     * without the addresses (for tests). A host that does not resolve is allowed here: the
     * connection then fails as unreachable, which it is.
     */
    Optional<String> refusal(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return Optional.of("the URL names no host");
        }
        return resolve(host, port(uri)).refusal();
    }

    /**
     * Why a connection for {@code host}:{@code port} may not go on at {@code address}, the one it
     * reached, or empty: for a client that looked the name up itself (sshd).
     */
    public Optional<String> refusal(String host, int port, InetAddress address) {
        return refusal(address, allowedByName(host, port));
    }

    /**
     * The addresses {@code uri}'s host resolves to, looked up once, each allowed: the only ones a
     * connection for {@code uri} may go to.
     *
     * @throws EgressDeniedException saying why, when the URL names no host or one address is refused
     * @throws UnknownHostException when the host does not resolve (the remote is unreachable, not refused)
     */
    public List<InetAddress> addresses(URI uri) throws EgressDeniedException, UnknownHostException {
        String host = uri.getHost();
        if (host == null) {
            throw new EgressDeniedException("the URL names no host");
        }
        Resolution resolution = resolve(host, port(uri));
        if (resolution.refusal().isPresent()) {
            throw new EgressDeniedException(resolution.refusal().get());
        }
        if (resolution.addresses().isEmpty()) {
            throw new UnknownHostException(InClusterAllowList.normal(host));
        }
        return resolution.addresses();
    }

    /** The port a connection for {@code uri} goes to, or -1 for a scheme without a known default. */
    static int port(URI uri) {
        return port(uri.getScheme(), uri.getPort());
    }

    /**
     * The port a connection goes to: {@code port} when the URL names one (above 0), else the
     * default of {@code scheme} (http, https, ssh, git), or -1 for a scheme without a known default.
     */
    public static int port(String scheme, int port) {
        if (port > 0) {
            return port;
        }
        return switch (scheme == null ? "" : scheme.toLowerCase(Locale.ROOT)) {
            case "http" -> 80;
            case "https" -> 443;
            case "ssh" -> 22;
            case "git" -> 9418;
            default -> -1;
        };
    }

    /**
     * Looks {@code host} up once and checks each address it resolves to, for a connection on
     * {@code port} (-1: any), so that the client connects to {@link Resolution#addresses()}
     * without looking the name up again and a DNS server cannot answer the connection otherwise
     * than the check. One refused address refuses the host.
     */
    public Resolution resolve(String host, int port) {
        String name = (host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host)
                .toLowerCase(Locale.ROOT);
        String bare = InClusterAllowList.normal(host);
        if (denyHosts.contains(bare)) {
            return new Resolution(List.of(), Optional.of("host " + bare + " is a metadata endpoint the operator's egress policy denies"));
        }
        InetAddress[] found;
        try {
            // As written: a final dot keeps the resolver's search domains out.
            found = lookup.lookup(name);
        } catch (UnknownHostException e) {
            return new Resolution(List.of(), Optional.empty());
        }
        boolean named = allowedByName(host, port);
        for (InetAddress address : found) {
            Optional<String> refused = refusal(address, named);
            if (refused.isPresent()) {
                return new Resolution(List.of(), Optional.of(bare.equals(address.getHostAddress()) ? refused.get()
                        : "host " + bare + ": " + refused.get()));
            }
        }
        return new Resolution(List.of(found), Optional.empty());
    }

    /** Whether a host:port entry of the in-cluster allow list, for this namespace, names the target. */
    private boolean allowedByName(String host, int port) {
        return tenant != null && tenant.allows(namespace, InClusterAllowList.normal(host), port);
    }

    private Optional<String> refusal(InetAddress address, boolean allowedByName) {
        for (Cidr range : deny) {
            if (range.contains(address)) {
                return Optional.of("address " + address.getHostAddress() + TenantRanges.describe(address) + " lies in " + range
                        + ", denied by the operator's egress policy (ramp.egress.deny-cidrs)");
            }
        }
        if (!allow.isEmpty() && allow.stream().noneMatch(r -> r.contains(address))) {
            return Optional.of("address " + address.getHostAddress()
                    + " lies outside the ranges the operator's egress policy allows (ramp.egress.allow-cidrs)");
        }
        if (tenant == null || allowedByName) {
            return Optional.empty();
        }
        return tenant.refusal(namespace, address);
    }
}
