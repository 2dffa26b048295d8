package dev.ramp.egress;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where the operator may connect on a tenant's behalf: webhook URLs, metric provider addresses
 * and Git remotes. A host is resolved and every address it resolves to is checked: one in a
 * denied range (link-local and the clouds' metadata addresses by default) refuses the request,
 * and with an allow list, so does one outside it. Loopback and cluster addresses stay allowed
 * unless denied.
 *
 * <p>The check runs just before each connection. A client that can be given addresses (Git's)
 * uses {@link #resolve}, and connects to the addresses it checked without looking the name up
 * again. Others look it up again: the JVM caches a lookup for 30 seconds
 * ({@code networkaddress.cache.ttl}), so they usually get the address checked here from that
 * cache, but a check near the end of an entry's life can be followed by a fresh answer.
 */
public final class EgressPolicy {

    /** Link-local (which holds 169.254.169.254), AWS's IPv6 metadata address, Alibaba Cloud's metadata address. */
    public static final List<String> DEFAULT_DENY = List.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128",
            "100.100.100.200/32");
    /** Metadata host names, refused before any lookup. */
    public static final List<String> DEFAULT_DENY_HOSTS = List.of("metadata.google.internal", "metadata.goog");

    private static final Pattern SCP_LIKE = Pattern.compile("^[A-Za-z0-9._-]+@([^:/]+):.*");

    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final Set<String> denyHosts;

    private EgressPolicy(List<Cidr> allow, List<Cidr> deny, Set<String> denyHosts) {
        this.allow = allow;
        this.deny = deny;
        this.denyHosts = denyHosts;
    }

    /** The default policy: {@link #DEFAULT_DENY} and {@link #DEFAULT_DENY_HOSTS} refused, everything else allowed. */
    public static EgressPolicy defaults() {
        return of(List.of(), DEFAULT_DENY, DEFAULT_DENY_HOSTS);
    }

    /**
     * @param allow when not empty, the only ranges connections may go to
     * @param deny ranges never connected to, whatever {@code allow} says
     * @param denyHosts host names never connected to
     * @throws IllegalArgumentException naming an entry that is not a CIDR range
     */
    public static EgressPolicy of(List<String> allow, List<String> deny, List<String> denyHosts) {
        return new EgressPolicy(parse(allow), parse(deny), denyHosts.stream().map(String::strip).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
    }

    private static List<Cidr> parse(List<String> ranges) {
        return ranges.stream().map(String::strip).filter(r -> !r.isEmpty()).map(Cidr::parse).toList();
    }

    /**
     * Why a connection to {@code uri} is refused, or empty when it is allowed. A host that does
     * not resolve is allowed here: the connection then fails as unreachable, which it is.
     */
    public Optional<String> refusal(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return Optional.of("the URL names no host");
        }
        return refusalForHost(host);
    }

    /** As {@link #refusal(URI)} for a Git remote: https, ssh, or scp-like {@code user@host:path}. */
    public Optional<String> refusalForGitUrl(String url) {
        Matcher scp = SCP_LIKE.matcher(url);
        if (!url.contains("://") && scp.matches()) {
            return refusalForHost(scp.group(1));
        }
        try {
            return refusal(URI.create(url));
        } catch (IllegalArgumentException e) {
            return Optional.of("the URL cannot be parsed");
        }
    }

    /** Why {@code host} may not be connected to, or empty. */
    public Optional<String> refusalForHost(String host) {
        return resolve(host, InetAddress::getAllByName).refusal();
    }

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

    /**
     * Looks {@code host} up once with {@code lookup} and checks each address, for a client that
     * then connects to {@link Resolution#addresses()} without looking the name up again, so that
     * a DNS server cannot answer the connection otherwise than the check.
     */
    public Resolution resolve(String host, NameLookup lookup) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        name = name.toLowerCase(Locale.ROOT);
        String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (denyHosts.contains(bare)) {
            return new Resolution(List.of(), Optional.of("host " + bare + " is a metadata endpoint the operator's egress policy denies"));
        }
        InetAddress[] addresses;
        try {
            addresses = lookup.lookup(name);
        } catch (UnknownHostException e) {
            return new Resolution(List.of(), Optional.empty());
        }
        for (InetAddress address : addresses) {
            Optional<String> refused = refusal(address);
            if (refused.isPresent()) {
                return new Resolution(List.of(), Optional.of(bare.equals(address.getHostAddress()) ? refused.get()
                        : "host " + bare + ": " + refused.get()));
            }
        }
        return new Resolution(List.of(addresses), Optional.empty());
    }

    /** Why {@code address} may not be connected to, or empty. */
    public Optional<String> refusal(InetAddress address) {
        for (Cidr range : deny) {
            if (range.contains(address)) {
                return Optional.of("address " + address.getHostAddress() + " lies in " + range
                        + ", denied by the operator's egress policy (ramp.egress.deny-cidrs)");
            }
        }
        if (!allow.isEmpty() && allow.stream().noneMatch(r -> r.contains(address))) {
            return Optional.of("address " + address.getHostAddress()
                    + " lies outside the ranges the operator's egress policy allows (ramp.egress.allow-cidrs)");
        }
        return Optional.empty();
    }
}
