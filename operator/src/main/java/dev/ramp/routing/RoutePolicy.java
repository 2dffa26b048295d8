package dev.ramp.routing;

import dev.ramp.api.ParentRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.ServiceSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

/**
 * Which hosts and gateways a Rollout may route, whatever the mesh: Ramp writes the routes with its
 * own ServiceAccount, so without this rule any tenant could claim another team's Service or a
 * shared gateway's public host through it. A Rollout may always route the names of its own
 * Services (those Ramp generates for it and its target's name), in every form a client in the
 * cluster uses ({@code web}, {@code web.team-a}, {@code web.team-a.svc},
 * {@code web.team-a.svc.cluster.local}), the {@code mesh} gateway and the gateways of its own
 * namespace. Anything else needs an entry of the operator's allow-lists: host patterns
 * ({@code ramp.routing.allowed-hosts}: {@code login.example.com}, {@code *.example.com}, {@code *})
 * and gateways ({@code ramp.routing.allowed-gateways}: {@code istio-system/public},
 * {@code istio-system/*}), each for every namespace or, written {@code team-a=<entry>}, for one.
 * The Gateways a Gateway API route attaches to ({@code spec.service.parentRefs}) follow the
 * gateways' rule and list: those of the Rollout's namespace, others only as allowed
 * ({@code istio-system/public} allows that Gateway as a parentRef too). Each provider's fields
 * belong to it: {@code parentRefs} are required with GatewayAPI and refused with Istio,
 * {@code gateways} refused with GatewayAPI.
 * Every router asks {@link #refusals} before it writes, and the Rollout is held while any remain.
 */
public final class RoutePolicy {

    public static final String HOSTS_SETTING = "ramp.routing.allowed-hosts";
    public static final String GATEWAYS_SETTING = "ramp.routing.allowed-gateways";
    /** Istio's name for the sidecars of the mesh: routes for in-cluster clients, the default. */
    public static final String MESH = "mesh";
    static final String CLUSTER_DOMAIN = "svc.cluster.local";
    private static final int ECHOED = 253;
    /** A hostname an HTTPRoute or GRPCRoute accepts: a DNS name, optionally after {@code *.}; not {@code *} nor an IP. */
    private static final Pattern ROUTE_HOSTNAME = Pattern.compile("(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** No allow-list: each Rollout routes only its own Service names, through mesh or its namespace's gateways. */
    public static final RoutePolicy OWN_NAMES = new RoutePolicy(List.of(), List.of());

    /** One allow-list entry: a pattern, for one namespace or (namespace null) for all. */
    private record Entry(String namespace, String pattern) {

        boolean appliesTo(String rolloutNamespace) {
            return namespace == null || namespace.equals(rolloutNamespace);
        }
    }

    private final List<Entry> hosts;
    private final List<Entry> gateways;

    private RoutePolicy(List<Entry> hosts, List<Entry> gateways) {
        this.hosts = hosts;
        this.gateways = gateways;
    }

    /**
     * The policy of the operator's settings. A malformed entry stops the operator at start, naming
     * the setting and the entry, rather than allowing more or less than the platform team wrote.
     */
    public static RoutePolicy of(Collection<String> allowedHosts, Collection<String> allowedGateways) {
        return new RoutePolicy(entries(HOSTS_SETTING, allowedHosts, false), entries(GATEWAYS_SETTING, allowedGateways, true));
    }

    /** Why the Rollout may not have its {@code spec.service} routed, one sentence per field; empty when it may. */
    public List<String> refusals(Rollout rollout) {
        RolloutNames names = RolloutNames.of(rollout);
        var service = rollout.getSpec().getService();
        if (service.effectiveProvider() == RoutingProvider.None) {
            // No route names a host or gateway; the router refuses those fields (ReplicaRatioRouter).
            return List.of();
        }
        Set<String> own = new LinkedHashSet<>(List.of(names.service(), names.primaryService(), names.canaryService(),
                rollout.getSpec().getTargetRef().getName()));
        boolean gatewayApi = service.effectiveProvider() == RoutingProvider.GatewayAPI;
        String namespace = rollout.getMetadata().getNamespace();
        List<String> refusals = refusals(namespace, own, service.getHosts(), gatewayApi ? null : service.getGateways());
        if (gatewayApi) {
            refusals.addAll(gatewayApiRefusals(namespace, service));
        } else if (service.getParentRefs() != null && !service.getParentRefs().isEmpty()) {
            refusals.add("spec.service.parentRefs: Gateway API only; with provider Istio (the default) a VirtualService binds"
                    + " to spec.service.gateways, or set spec.service.provider: GatewayAPI");
        }
        return refusals;
    }

    /** What provider GatewayAPI asks of {@code spec.service}: parentRefs, allowed ones, hostnames a route accepts, no gateways. */
    private List<String> gatewayApiRefusals(String namespace, ServiceSpec service) {
        List<String> refusals = new ArrayList<>();
        if (service.getGateways() != null && !service.getGateways().isEmpty()) {
            refusals.add("spec.service.gateways: Istio's gateways, not used with provider GatewayAPI; name the Gateways in"
                    + " spec.service.parentRefs");
        }
        List<ParentRef> parents = service.getParentRefs() == null ? List.of() : service.getParentRefs();
        if (parents.isEmpty()) {
            refusals.add("spec.service.parentRefs: required with provider GatewayAPI: the Gateways the route attaches to");
        }
        for (int i = 0; i < parents.size(); i++) {
            ParentRef ref = parents.get(i);
            String gatewayNamespace = ref.getNamespace() == null ? namespace : normal(ref.getNamespace());
            String gateway = gatewayNamespace + "/" + normal(ref.getName());
            if (!gatewayNamespace.equals(namespace) && !allowed(this.gateways, namespace, gateway, RoutePolicy::gatewayCovers)) {
                refusals.add("spec.service.parentRefs[" + i + "]: Gateway " + echo(gateway) + " is of namespace "
                        + echo(gatewayNamespace) + ", not " + namespace + "; besides the Gateways of " + namespace
                        + ", the operator allows in namespace " + namespace + ": " + allowance(this.gateways, namespace)
                        + " (" + GATEWAYS_SETTING + ")");
            }
        }
        List<String> hosts = service.getHosts() == null ? List.of() : service.getHosts();
        for (int i = 0; i < hosts.size(); i++) {
            String host = normal(hosts.get(i));
            if (host.length() > ECHOED || !ROUTE_HOSTNAME.matcher(host).matches()) {
                refusals.add("spec.service.hosts[" + i + "]: " + echo(hosts.get(i)) + " is not a hostname an HTTPRoute or"
                        + " GRPCRoute accepts (a DNS name, optionally *.<domain>; not *); leave hosts"
                        + " empty for every hostname of the Gateway's listener");
            }
        }
        return refusals;
    }

    /**
     * Why {@code hosts} and {@code gateways} (as {@code spec.service} names them, either may be
     * null) may not be routed for a Rollout of {@code namespace} whose Services are {@code services}.
     */
    public List<String> refusals(String namespace, Collection<String> services, List<String> hosts, List<String> gateways) {
        List<String> refusals = new ArrayList<>();
        for (int i = 0; hosts != null && i < hosts.size(); i++) {
            String host = normal(hosts.get(i));
            if (!isOwn(host, namespace, services) && !allowed(this.hosts, namespace, host, RoutePolicy::hostCovers)) {
                refusals.add("spec.service.hosts[" + i + "]: " + echo(hosts.get(i)) + " is not a name of this Rollout's"
                        + " Services (" + String.join(", ", services) + " as <name>, <name>." + namespace + ", <name>."
                        + namespace + ".svc or <name>." + namespace + "." + CLUSTER_DOMAIN + "); other hosts the operator allows in"
                        + " namespace " + namespace + ": " + allowance(this.hosts, namespace) + " (" + HOSTS_SETTING + ")");
            }
        }
        for (int i = 0; gateways != null && i < gateways.size(); i++) {
            String gateway = normal(gateways.get(i));
            String gatewayNamespace = namespaceOf(gateway, namespace);
            if (!gateway.equals(MESH) && !gatewayNamespace.equals(namespace)
                    && !allowed(this.gateways, namespace, gateway, RoutePolicy::gatewayCovers)) {
                refusals.add("spec.service.gateways[" + i + "]: " + echo(gateways.get(i)) + " is a gateway of namespace "
                        + echo(gatewayNamespace) + ", not " + namespace + "; besides mesh and the gateways of " + namespace
                        + ", the operator allows in namespace " + namespace + ": " + allowance(this.gateways, namespace)
                        + " (" + GATEWAYS_SETTING + ")");
            }
        }
        return refusals;
    }

    /** The namespace of a gateway as a route names it: {@code ns/name}, or the route's own for a bare name. */
    public static String namespaceOf(String gateway, String routeNamespace) {
        int slash = gateway.indexOf('/');
        return slash < 0 ? routeNamespace : gateway.substring(0, slash);
    }

    private static boolean isOwn(String host, String namespace, Collection<String> services) {
        for (String service : services) {
            String name = service.toLowerCase(Locale.ROOT);
            if (host.equals(name) || host.equals(name + "." + namespace) || host.equals(name + "." + namespace + ".svc")
                    || host.equals(name + "." + namespace + "." + CLUSTER_DOMAIN)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allowed(List<Entry> entries, String namespace, String value, BiPredicate<String, String> covers) {
        return entries.stream().anyMatch(e -> e.appliesTo(namespace) && covers.test(e.pattern(), value));
    }

    /** {@code *} covers every host, {@code *.example.com} every name below example.com (wildcards too), else the name itself. */
    static boolean hostCovers(String pattern, String host) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            return host.endsWith(suffix) && host.length() > suffix.length();
        }
        return pattern.equals(host);
    }

    /** {@code ns/*} covers every gateway of ns, {@code ns/name} that gateway. */
    static boolean gatewayCovers(String pattern, String gateway) {
        return pattern.equals(gateway) || pattern.endsWith("/*") && gateway.startsWith(pattern.substring(0, pattern.length() - 1));
    }

    private static String allowance(List<Entry> entries, String namespace) {
        List<String> patterns = entries.stream().filter(e -> e.appliesTo(namespace)).map(Entry::pattern).distinct().toList();
        return patterns.isEmpty() ? "none" : String.join(", ", patterns);
    }

    private static List<Entry> entries(String setting, Collection<String> values, boolean gateway) {
        List<Entry> entries = new ArrayList<>();
        for (String value : values == null ? List.<String>of() : values) {
            String entry = value.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int equals = entry.indexOf('=');
            String namespace = equals < 0 ? null : entry.substring(0, equals).trim();
            String pattern = normal(equals < 0 ? entry : entry.substring(equals + 1));
            boolean valid = gateway ? pattern.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?/([*]|[-a-z0-9.]+)")
                    : pattern.matches("[*]|([*][.])?[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
            if (!valid || namespace != null && !namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IllegalArgumentException(setting + ": entry '" + entry + "' is not " + (gateway
                        ? "<namespace>/<gateway> or <namespace>/*" : "a host name, *.<domain> or *")
                        + ", optionally after <namespace>=");
            }
            entries.add(new Entry(namespace, pattern));
        }
        return List.copyOf(entries);
    }

    /** DNS names are case-insensitive and may end in a dot. */
    private static String normal(String name) {
        String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String echo(String value) {
        return value == null ? "null" : value.length() <= ECHOED ? value : value.substring(0, ECHOED) + "…";
    }
}
