package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.testing.HookServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Providers are kept per template, bounded, and never asked at a denied address: a template's
 * address is a tenant's URL, the operator's own Prometheus is not.
 */
class ProvidersTest {

    private final Providers providers = new Providers(null, "http://127.0.0.1:1");

    @Test
    void oneProviderPerTemplateAndAtMostTheBound() {
        MetricsProvider first = providers.forTemplate(template("t0", "http://127.0.0.1:9090"));
        assertThat(providers.forTemplate(template("t0", "http://127.0.0.1:9090"))).isSameAs(first);
        for (int i = 1; i < Providers.MAX_PROVIDERS + 50; i++) {
            providers.forTemplate(template("t" + i, "http://127.0.0.1:9090"));
        }
        assertThat(providers.size()).isEqualTo(Providers.MAX_PROVIDERS);
        // The least recently used went first.
        assertThat(providers.forTemplate(template("t0", "http://127.0.0.1:9090"))).isNotSameAs(first);
    }

    @Test
    void aMetadataAddressIsNeverAsked() {
        MetricsProvider provider = providers.forTemplate(template("imds", "http://169.254.169.254/"));
        MetricQueryException refused = null;
        try {
            OptionalDouble ignored = provider.query("up");
        } catch (MetricQueryException e) {
            refused = e;
        }
        assertThat(refused).isNotNull();
        assertThat(refused.kind()).isEqualTo(MetricQueryException.Kind.DENIED);
        assertThat(CheckFailure.of(refused)).isEqualTo(CheckFailure.EGRESS_DENIED);
        assertThat(refused.getMessage()).contains("not asked").contains("169.254.0.0/16");
    }

    /** The defaults, the cluster's service range given, and loopback allowed to team-a only. */
    private static final EgressPolicy TEAM_A_LOOPBACK = EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY,
            EgressPolicy.DEFAULT_DENY_HOSTS, List.of("10.96.0.0/12"), List.of("team-a=127.0.0.1/32"));

    @ParameterizedTest
    @CsvSource({
        "'', 'address 127.0.0.1 is loopback, which tenant URLs may not reach unless the operator allows it for namespace team-b'",
        "http://169.254.169.254, 'address 169.254.169.254 (link-local) lies in 169.254.0.0/16'",
        "http://10.96.0.10:8080, 'address 10.96.0.10 is in the cluster''s pod or service range 10.96.0.0/12'"})
    void byDefaultATenantsTemplateIsNotAskedAtLoopbackLinkLocalOrClusterAddresses(String address, String why) throws Exception {
        try (HookServer server = new HookServer()) {
            Providers providers = new Providers(null, server.url("/default"), TEAM_A_LOOPBACK);
            MetricQueryException refused = refusal(providers.forTemplate(
                    template("latency", "team-b", address.isEmpty() ? server.url("/tenant") : address)));

            assertThat(refused.kind()).isEqualTo(MetricQueryException.Kind.DENIED);
            assertThat(CheckFailure.of(refused).conditionReason()).isEqualTo("EgressDenied");
            assertThat(refused.getMessage()).contains(" not asked: MetricTemplate team-b/latency spec.provider.address: " + why);
            assertThat(server.calls("/tenant/api/v1/query")).isEmpty();
        }
    }

    @Test
    void onlyTheAllowedNamespacesTemplatesAndTheOperatorsOwnPrometheusAreAskedOnLoopback() throws Exception {
        try (HookServer server = new HookServer()) {
            Providers providers = new Providers(null, server.url("/default"), TEAM_A_LOOPBACK);

            // The stand-in answers no JSON: the query was sent, and its answer refused.
            assertThat(refusal(providers.forTemplate(template("latency", "team-a", server.url("/tenant")))).kind())
                    .isEqualTo(MetricQueryException.Kind.REJECTED);
            assertThat(refusal(providers.forTemplate(template("latency", "team-b", server.url("/tenant")))).kind())
                    .isEqualTo(MetricQueryException.Kind.DENIED);
            assertThat(server.calls("/tenant/api/v1/query")).hasSize(1);
            // The operator's own address is its setting, not a tenant's: team-b's template without an address uses it.
            assertThat(refusal(providers.defaultProvider()).kind()).isEqualTo(MetricQueryException.Kind.REJECTED);
            assertThat(refusal(providers.forTemplate(template("latency", "team-b", null))).kind())
                    .isEqualTo(MetricQueryException.Kind.REJECTED);
            assertThat(server.calls("/default/api/v1/query")).hasSize(2);
        }
    }

    private static MetricQueryException refusal(MetricsProvider provider) {
        try {
            provider.query("up");
        } catch (MetricQueryException e) {
            return e;
        }
        throw new AssertionError("the query did not fail");
    }

    private static MetricTemplate template(String name, String address) {
        return template(name, "team-a", address);
    }

    private static MetricTemplate template(String name, String namespace, String address) {
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        MetricProvider provider = new MetricProvider();
        provider.setAddress(address);
        spec.setProvider(provider);
        spec.setQuery("up");
        template.setSpec(spec);
        return template;
    }
}
