package dev.ramp.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The operator's egress policy on addresses, host names and URLs (no DNS beyond localhost and a test resolver). */
class EgressPolicyTest {

    private final EgressPolicy defaults = EgressPolicy.defaults();

    /** The defaults, the cluster's ranges given, and loopback and one in-cluster Service allowed to team-a only. */
    private final EgressPolicy configured = EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY,
            EgressPolicy.DEFAULT_DENY_HOSTS, List.of("10.96.0.0/12", "10.244.0.0/16"),
            List.of("team-a=127.0.0.1/32", "team-a=hooks.team-a.svc.cluster.local:8080", "team-c=169.254.0.0/16"))
            .resolvingWith(names(Map.of("hooks.team-a.svc.cluster.local", "10.96.3.4")));

    @Test
    void metadataAndLinkLocalAddressesAreDeniedByDefault() {
        assertThat(defaults.refusal(URI.create("http://169.254.169.254/latest/meta-data/")))
                .hasValue("address 169.254.169.254 (link-local) lies in 169.254.0.0/16, denied by the operator's egress"
                        + " policy (ramp.egress.deny-cidrs)");
        assertThat(defaults.refusal(URI.create("http://[fd00:ec2::254]/latest/"))).isPresent();
        assertThat(defaults.refusal(URI.create("http://[fe80::1]:8080/"))).isPresent();
        assertThat(defaults.refusal(URI.create("http://100.100.100.200/"))).isPresent();
        // An IPv4-mapped IPv6 literal is the IPv4 address.
        assertThat(defaults.refusal(URI.create("http://[::ffff:169.254.169.254]/"))).isPresent();
        assertThat(defaults.refusal(URI.create("http://metadata.google.internal/computeMetadata/v1/")))
                .hasValueSatisfying(r -> assertThat(r).contains("metadata endpoint"));
        assertThat(defaults.refusal(URI.create("http://METADATA.google.internal./"))).isPresent();
        // Even the operator's own settings may not name them.
        assertThat(defaults.trusted().refusal(URI.create("http://169.254.169.254/"))).isPresent();
    }

    @Test
    void resolvingLooksTheNameUpOnceAndGivesTheAddressesOnlyWhenEachIsAllowed() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        InetAddress allowed = InetAddress.getByName("10.1.2.3");
        InetAddress metadata = InetAddress.getByName("169.254.169.254");

        EgressPolicy.Resolution one = defaults.resolvingWith(host -> {
            lookups.incrementAndGet();
            return new InetAddress[] {allowed};
        }).resolve("git.example", 443);
        assertThat(one.addresses()).containsExactly(allowed);
        assertThat(one.refusal()).isEmpty();
        assertThat(lookups.get()).isEqualTo(1);

        EgressPolicy.Resolution mixed = defaults.resolvingWith(host -> new InetAddress[] {allowed, metadata})
                .resolve("git.example", 443);
        assertThat(mixed.addresses()).as("one denied address refuses the host").isEmpty();
        assertThat(mixed.refusal()).hasValueSatisfying(r -> assertThat(r).contains("host git.example")
                .contains("169.254.169.254"));

        EgressPolicy.Resolution named = defaults.resolvingWith(host -> {
            throw new AssertionError("a denied host name is refused before any lookup");
        }).resolve("metadata.google.internal", 80);
        assertThat(named.refusal()).isPresent();

        EgressPolicy.Resolution unknown = defaults.resolvingWith(host -> {
            throw new UnknownHostException(host);
        }).resolve("nowhere.example", 22);
        assertThat(unknown.addresses()).isEmpty();
        assertThat(unknown.refusal()).as("left to fail as unreachable").isEmpty();
    }

    @Test
    void tenantUrlsMayNotReachLoopbackUnspecifiedOrLinkLocalByDefault() {
        assertThat(defaults.forNamespace("team-a").refusal(URI.create("http://127.0.0.1:9000/q/metrics")))
                .hasValue("address 127.0.0.1 is loopback, which tenant URLs may not reach unless the operator allows it"
                        + " for namespace team-a (ramp.egress.in-cluster-allow)");
        assertThat(defaults.refusal(URI.create("http://localhost:9090/")))
                .hasValueSatisfying(r -> assertThat(r).startsWith("host localhost: address ").contains("is loopback"));
        assertThat(defaults.refusal(URI.create("http://127.8.9.10/"))).hasValueSatisfying(r -> assertThat(r).contains("loopback"));
        assertThat(defaults.refusal(URI.create("http://[::1]:9090/"))).hasValueSatisfying(r -> assertThat(r).contains("loopback"));
        assertThat(defaults.refusal(URI.create("http://0.0.0.0:8080/"))).hasValueSatisfying(r -> assertThat(r).contains("unspecified"));
        assertThat(defaults.refusal(URI.create("http://[::]:8080/"))).hasValueSatisfying(r -> assertThat(r).contains("unspecified"));
        // Link-local stays refused to tenants when the operator's deny list no longer holds it.
        EgressPolicy noDenyList = EgressPolicy.of(List.of(), List.of(), List.of());
        assertThat(noDenyList.refusal(URI.create("http://169.254.169.254/")))
                .hasValueSatisfying(r -> assertThat(r).contains("is link-local").contains("ramp.egress.in-cluster-allow"));
        assertThat(noDenyList.refusal(URI.create("http://[fe80::1]/"))).hasValueSatisfying(r -> assertThat(r).contains("link-local"));
        // Other addresses stay allowed; a name that does not resolve is left to fail as unreachable.
        assertThat(defaults.refusal(URI.create("http://10.96.0.10/"))).isEmpty();
        assertThat(defaults.refusal(URI.create("http://no-such-host.invalid/"))).isEmpty();
    }

    @Test
    void theClustersRangesAreRefusedToTenantsOnceTheOperatorIsToldThem() {
        assertThat(configured.forNamespace("team-b").refusal(URI.create("http://10.96.0.10:8080/actuator/shutdown")))
                .hasValue("address 10.96.0.10 is in the cluster's pod or service range 10.96.0.0/12 (ramp.egress.cluster-cidrs),"
                        + " which tenant URLs may not reach unless the operator allows it for namespace team-b"
                        + " (ramp.egress.in-cluster-allow)");
        assertThat(configured.refusal(URI.create("https://10.244.1.7/"))).isPresent();
        assertThat(configured.refusal(URI.create("https://192.168.1.1/"))).isEmpty();
    }

    @Test
    void theOperatorsOwnAddressesAreRefusedToTenants() throws Exception {
        Optional<InetAddress> own = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        assumeTrue(own.isPresent(), "this machine has no address but loopback");
        String address = own.get().getHostAddress();
        assertThat(defaults.refusal(URI.create("http://" + address + ":9000/q/metrics")))
                .hasValueSatisfying(r -> assertThat(r).contains("is the operator's own address"));
        assertThat(defaults.trusted().refusal(URI.create("http://" + address + ":9090/"))).isEmpty();
    }

    @Test
    void addressesTheOperatorsSettingsNameAreTrusted() {
        assertThat(defaults.trusted().refusal(URI.create("http://127.0.0.1:9090/"))).isEmpty();
        assertThat(configured.trusted().refusal(URI.create("http://10.96.0.10:9090/"))).isEmpty();
        assertThat(configured.trusted().forNamespace("team-b").refusal(URI.create("http://localhost:9090/"))).isEmpty();
    }

    @Test
    void theInClusterAllowListLetsExactlyItsNamespaceThrough() {
        URI loopback = URI.create("http://127.0.0.1:8080/hook");
        assertThat(configured.forNamespace("team-a").refusal(loopback)).isEmpty();
        assertThat(configured.forNamespace("team-b").refusal(loopback)).hasValueSatisfying(r -> assertThat(r)
                .contains("is loopback").contains("namespace team-b"));
        assertThat(configured.refusal(loopback)).isPresent();
        assertThat(configured.forNamespace("team-a").refusal(URI.create("http://127.0.0.2:8080/"))).isPresent();

        // A host:port entry: that name, as the URL writes it, on that port.
        URI service = URI.create("http://hooks.team-a.svc.cluster.local:8080/check");
        assertThat(configured.forNamespace("team-a").refusal(service)).isEmpty();
        assertThat(configured.forNamespace("team-a").refusal(URI.create("http://HOOKS.team-a.svc.cluster.local.:8080/")))
                .isEmpty();
        assertThat(configured.forNamespace("team-a").refusal(URI.create("http://hooks.team-a.svc.cluster.local:9000/")))
                .hasValueSatisfying(r -> assertThat(r).contains("10.96.3.4").contains("cluster's pod or service range"));
        assertThat(configured.forNamespace("team-b").refusal(service)).isPresent();
        // The same address under another name is not the entry.
        assertThat(configured.forNamespace("team-a").refusal(URI.create("http://10.96.3.4:8080/"))).isPresent();
        // The address a client reached after looking the name up itself (sshd): the entry for the name holds for it.
        InetAddress reached = addressOf("10.96.3.4");
        assertThat(configured.forNamespace("team-a").refusal("hooks.team-a.svc.cluster.local", 8080, reached)).isEmpty();
        assertThat(configured.forNamespace("team-a").refusal("hooks.team-a.svc.cluster.local", 9000, reached)).isPresent();
        assertThat(configured.forNamespace("team-b").refusal("hooks.team-a.svc.cluster.local", 8080, reached)).isPresent();

        // An entry for every namespace.
        EgressPolicy everyone = EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY, List.of(), List.of(), List.of("127.0.0.0/8"));
        assertThat(everyone.forNamespace("team-z").refusal(loopback)).isEmpty();
        assertThat(everyone.refusal(loopback)).isEmpty();
    }

    @Test
    void theAllowListNeverLiftsTheOperatorsDenials() {
        assertThat(configured.forNamespace("team-c").refusal(URI.create("http://169.254.169.254/")))
                .hasValueSatisfying(r -> assertThat(r).contains("ramp.egress.deny-cidrs"));
        EgressPolicy fenced = EgressPolicy.of(List.of("10.0.0.0/8"), List.of(), List.of(), List.of(), List.of("127.0.0.0/8"));
        assertThat(fenced.refusal(URI.create("http://127.0.0.1/"))).hasValueSatisfying(r -> assertThat(r)
                .contains("ramp.egress.allow-cidrs"));
    }

    @Test
    void anAllowListAdmitsOnlyItsRangesAndDenyWins() {
        EgressPolicy policy = EgressPolicy.of(List.of("10.0.0.0/8", "169.254.0.0/16"), EgressPolicy.DEFAULT_DENY, List.of());
        assertThat(policy.refusal(URI.create("http://10.1.2.3/"))).isEmpty();
        assertThat(policy.refusal(URI.create("http://192.168.1.1/")))
                .hasValueSatisfying(r -> assertThat(r).contains("ramp.egress.allow-cidrs"));
        assertThat(policy.refusal(URI.create("http://169.254.169.254/"))).isPresent();
        assertThat(policy.refusal(URI.create("http://localhost/"))).isPresent();
    }

    @Test
    void theAddressesAreLookedUpOnceAndAreTheOnesChecked() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // A DNS server that rebinds: an allowed address first, loopback after.
        EgressPolicy rebinding = EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY, List.of()).resolvingWith(host -> {
            String answer = lookups.getAndIncrement() == 0 ? "192.0.2.10" : "127.0.0.1";
            return new InetAddress[] {InetAddress.getByAddress(host, InetAddress.getByName(answer).getAddress())};
        });
        URI uri = URI.create("http://rebind.example:8080/");
        assertThat(rebinding.addresses(uri)).extracting(InetAddress::getHostAddress).containsExactly("192.0.2.10");
        assertThat(lookups).hasValue(1);
        assertThatThrownBy(() -> rebinding.addresses(uri)).isInstanceOf(EgressDeniedException.class)
                .hasMessageContaining("host rebind.example: address 127.0.0.1 is loopback");
        assertThat(lookups).hasValue(2);
        assertThatThrownBy(() -> defaults.addresses(URI.create("http://no-such-host.invalid/")))
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void settingsAreParsedStrictly() {
        assertThat(Cidr.parse("10.0.0.0/8").contains(addressOf("10.255.0.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(addressOf("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("192.168.0.0/23").contains(addressOf("192.168.1.255"))).isTrue();
        assertThat(Cidr.parse("192.168.0.0/23").contains(addressOf("192.168.2.0"))).isFalse();
        assertThat(Cidr.parse("fe80::/10").contains(addressOf("febf::1"))).isTrue();
        assertThat(Cidr.parse("fe80::/10").contains(addressOf("10.0.0.1"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EgressPolicy.of(List.of("nonsense"), List.of(), List.of()))
                .hasMessageContaining("nonsense");
        assertThatThrownBy(() -> EgressPolicy.of(List.of(), List.of(), List.of(), List.of("10.96.0.0/99"), List.of()))
                .hasMessageContaining("10.96.0.0/99");
        assertThatThrownBy(() -> InClusterAllowList.of(List.of("team-a=hooks.team-a.svc")))
                .hasMessageStartingWith("ramp.egress.in-cluster-allow: team-a=hooks.team-a.svc: neither");
        assertThatThrownBy(() -> InClusterAllowList.of(List.of("Team_A=10.0.0.0/8")))
                .hasMessageContaining("not a namespace name");
        assertThatThrownBy(() -> InClusterAllowList.of(List.of("hooks:70000"))).hasMessageContaining("port out of range");
        assertThat(InClusterAllowList.of(List.of("[fd00::1]:8080", "::1", "fd00::/8", "10.0.0.5:8080", " "))).isNotNull();
    }

    private static EgressPolicy.NameLookup names(Map<String, String> names) {
        return host -> {
            String address = names.get(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
            return address == null ? InetAddress.getAllByName(host)
                    : new InetAddress[] {InetAddress.getByAddress(host, InetAddress.getByName(address).getAddress())};
        };
    }

    private static InetAddress addressOf(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
