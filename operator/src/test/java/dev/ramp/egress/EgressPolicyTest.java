package dev.ramp.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's egress policy on addresses, host names and Git URLs (no DNS beyond localhost). */
class EgressPolicyTest {

    private final EgressPolicy defaults = EgressPolicy.defaults();

    @Test
    void metadataAndLinkLocalAddressesAreDeniedByDefault() {
        assertThat(defaults.refusal(URI.create("http://169.254.169.254/latest/meta-data/")))
                .hasValueSatisfying(r -> assertThat(r).contains("169.254.169.254").contains("169.254.0.0/16")
                        .contains("ramp.egress.deny-cidrs"));
        assertThat(defaults.refusal(URI.create("http://[fd00:ec2::254]/latest/"))).isPresent();
        assertThat(defaults.refusal(URI.create("http://[fe80::1]:8080/"))).isPresent();
        assertThat(defaults.refusal(URI.create("http://100.100.100.200/"))).isPresent();
        // An IPv4-mapped IPv6 literal is the IPv4 address.
        assertThat(defaults.refusal(URI.create("http://[::ffff:169.254.169.254]/"))).isPresent();
        assertThat(defaults.refusal(URI.create("http://metadata.google.internal/computeMetadata/v1/")))
                .hasValueSatisfying(r -> assertThat(r).contains("metadata endpoint"));
        assertThat(defaults.refusal(URI.create("http://METADATA.google.internal./"))).isPresent();
    }

    @Test
    void resolvingLooksTheNameUpOnceAndGivesTheAddressesOnlyWhenEachIsAllowed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        InetAddress allowed = InetAddress.getByName("10.1.2.3");
        InetAddress metadata = InetAddress.getByName("169.254.169.254");

        EgressPolicy.Resolution one = defaults.resolve("git.example", host -> {
            lookups.incrementAndGet();
            return new InetAddress[] {allowed};
        });
        assertThat(one.addresses()).containsExactly(allowed);
        assertThat(one.refusal()).isEmpty();
        assertThat(lookups.get()).isEqualTo(1);

        EgressPolicy.Resolution mixed = defaults.resolve("git.example", host -> new InetAddress[] {allowed, metadata});
        assertThat(mixed.addresses()).as("one denied address refuses the host").isEmpty();
        assertThat(mixed.refusal()).hasValueSatisfying(r -> assertThat(r).contains("host git.example")
                .contains("169.254.169.254"));

        EgressPolicy.Resolution named = defaults.resolve("metadata.google.internal", host -> {
            throw new AssertionError("a denied host name is refused before any lookup");
        });
        assertThat(named.refusal()).isPresent();

        EgressPolicy.Resolution unknown = defaults.resolve("nowhere.example", host -> {
            throw new java.net.UnknownHostException(host);
        });
        assertThat(unknown.addresses()).isEmpty();
        assertThat(unknown.refusal()).as("left to fail as unreachable").isEmpty();
    }

    @Test
    void loopbackAndClusterAddressesStayAllowedByDefault() {
        assertThat(defaults.refusal(URI.create("http://127.0.0.1:9090/"))).isEmpty();
        assertThat(defaults.refusal(URI.create("http://localhost:9090/"))).isEmpty();
        assertThat(defaults.refusal(URI.create("http://[::1]:9090/"))).isEmpty();
        assertThat(defaults.refusal(URI.create("http://10.96.0.10/"))).isEmpty();
        // A name that does not resolve is left to fail as unreachable.
        assertThat(defaults.refusal(URI.create("http://no-such-host.invalid/"))).isEmpty();
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
    void theDenyListCanBeReplaced() throws Exception {
        EgressPolicy policy = EgressPolicy.of(List.of(), List.of("127.0.0.0/8", "::1/128"), List.of());
        assertThat(policy.refusal(URI.create("http://localhost:9090/")))
                .hasValueSatisfying(r -> assertThat(r).startsWith("host localhost: address "));
        assertThat(policy.refusal(InetAddress.getByName("169.254.169.254"))).isEmpty();
    }

    @Test
    void gitUrlsOfEveryFormAreChecked() {
        assertThat(defaults.refusalForGitUrl("https://169.254.169.254/org/repo.git")).isPresent();
        assertThat(defaults.refusalForGitUrl("ssh://git@169.254.169.254:22/org/repo.git")).isPresent();
        assertThat(defaults.refusalForGitUrl("git@169.254.169.254:org/repo.git")).isPresent();
        assertThat(defaults.refusalForGitUrl("git@127.0.0.1:org/repo.git")).isEmpty();
        assertThat(defaults.refusalForGitUrl("http://127.0.0.1:8080/org/repo.git")).isEmpty();
    }

    @Test
    void cidrsAreParsedStrictly() {
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
    }

    private static InetAddress addressOf(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
