package dev.ramp.egress;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The in-cluster targets a namespace's webhooks, MetricTemplates and GitSources may reach although
 * tenant URLs are refused loopback, link-local, unspecified, cluster and the operator's own
 * addresses by default ({@value #SETTING}). An entry is a range ({@code 10.96.12.0/24}, or one
 * address) or a {@code host:port} as the URL names it ({@code hooks.team-a.svc.cluster.local:8080},
 * {@code [fd00::1]:8080}), for one namespace when written {@code team-a=<entry>}, for every
 * namespace otherwise. It lifts only those default refusals: the operator's denied ranges and host
 * names, and its allow list, still hold.
 */
public final class InClusterAllowList {

    public static final String SETTING = "ramp.egress.in-cluster-allow";

    /** No entries: no tenant reaches an in-cluster address. */
    public static final InClusterAllowList NONE = new InClusterAllowList(List.of());

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?\\.?):([0-9]{1,5})");

    /** One entry: for {@code namespace} (null: every namespace), a range or a host and port. */
    private record Entry(String namespace, Cidr range, String host, int port) {

        boolean appliesTo(String other) {
            return namespace == null || namespace.equals(other);
        }
    }

    private final List<Entry> entries;

    private InClusterAllowList(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * The allow list of the operator's settings. A malformed entry stops the operator at start,
     * naming the setting and the entry, rather than allowing more or less than was written.
     *
     * @throws IllegalArgumentException naming the entry that is neither a range nor a host:port
     */
    public static InClusterAllowList of(Collection<String> entries) {
        return new InClusterAllowList(entries.stream().map(String::strip).filter(e -> !e.isEmpty())
                .map(InClusterAllowList::entry).toList());
    }

    private static Entry entry(String text) {
        int equals = text.indexOf('=');
        String namespace = equals < 0 ? null : text.substring(0, equals).strip();
        String target = equals < 0 ? text : text.substring(equals + 1).strip();
        if (namespace != null && !NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException(SETTING + ": " + text + ": " + namespace + " is not a namespace name");
        }
        if (!target.contains("/") && HOST_PORT.matcher(target).matches()) {
            try {
                return new Entry(namespace, Cidr.parse(target), null, -1);
            } catch (IllegalArgumentException e) {
                // Not an IPv6 address: a host and port, below.
            }
        }
        Matcher hostPort = HOST_PORT.matcher(target);
        if (hostPort.matches()) {
            int port = Integer.parseInt(hostPort.group(3));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(SETTING + ": " + text + ": port out of range");
            }
            return new Entry(namespace, null, normal(hostPort.group(1)), port);
        }
        try {
            return new Entry(namespace, Cidr.parse(target), null, -1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SETTING + ": " + text
                    + ": neither an IP address range (10.96.12.0/24) nor a host:port (hooks.team-a.svc:8080)", e);
        }
    }

    /** A host as entries and URLs are compared: lower case, without IPv6 brackets or a final dot. */
    public static String normal(String host) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        name = name.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** Whether a range entry for {@code namespace} (null: only entries for every namespace) holds the address. */
    boolean allows(String namespace, InetAddress address) {
        return entries.stream().anyMatch(e -> e.range() != null && e.appliesTo(namespace) && e.range().contains(address));
    }

    /** Whether a host:port entry for {@code namespace} names this host (normalised) and port. */
    boolean allows(String namespace, String host, int port) {
        return port > 0 && entries.stream().anyMatch(e -> e.host() != null && e.appliesTo(namespace)
                && e.host().equals(host) && e.port() == port);
    }
}
