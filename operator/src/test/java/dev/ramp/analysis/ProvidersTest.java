package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.MetricProvider;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.MetricTemplateSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Providers are kept per template, bounded, and never asked at a denied address. */
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

    private static MetricTemplate template(String name, String address) {
        MetricTemplate template = new MetricTemplate();
        template.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("team-a").build());
        MetricTemplateSpec spec = new MetricTemplateSpec();
        MetricProvider provider = new MetricProvider();
        provider.setAddress(address);
        spec.setProvider(provider);
        spec.setQuery("up");
        template.setSpec(spec);
        return template;
    }
}
