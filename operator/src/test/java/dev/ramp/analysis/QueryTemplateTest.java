package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Variables cannot change a query's structure: escaped inside string literals, restricted outside them. */
class QueryTemplateTest {

    private static final String QUERY = "sum(rate(http_requests_total{namespace=\"{{ namespace }}\",route=\"{{ variables.route }}\"}"
            + "[{{ interval }}]))";

    @Test
    void valuesInsideDoubleQuotesAreEscaped() {
        String rendered = QueryTemplate.render(QUERY, Map.of("namespace", "team-a", "interval", "1m",
                "variables.route", "/api\"} or vector(1) or up{x=\"\\"));
        assertThat(rendered).isEqualTo("sum(rate(http_requests_total{namespace=\"team-a\","
                + "route=\"/api\\\"} or vector(1) or up{x=\\\"\\\\\"}[1m]))");
    }

    @Test
    void valuesInsideSingleQuotesAndNewlinesAreEscaped() {
        assertThat(QueryTemplate.render("up{job='{{ variables.job }}'}", Map.of("variables.job", "a'b\"c\nd")))
                .isEqualTo("up{job='a\\'b\"c\\nd'}");
    }

    @Test
    void aValueOutsideQuotesMayOnlyBeAToken() {
        assertThat(QueryTemplate.render("up > {{ variables.min }}", Map.of("variables.min", "0.5"))).isEqualTo("up > 0.5");
        assertThatThrownBy(() -> QueryTemplate.render("rate(x[{{ variables.window }}])",
                Map.of("variables.window", "1m]) or vector(1) or (x[1m")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{{ variables.window }}").hasMessageContaining("outside quotes");
        assertThatThrownBy(() -> QueryTemplate.render("up{job=\"a\"} + {{ variables.x }}", Map.of("variables.x", "1 or up")))
                .hasMessageContaining("{{ variables.x }}");
    }

    @Test
    void aBacktickCannotCloseARawString() {
        assertThat(QueryTemplate.render("up{job=~`{{ variables.re }}`}", Map.of("variables.re", "a\"b.*")))
                .isEqualTo("up{job=~`a\"b.*`}");
        assertThatThrownBy(() -> QueryTemplate.render("up{job=~`{{ variables.re }}`}", Map.of("variables.re", "a`} or up{`")))
                .hasMessageContaining("backtick");
    }

    @Test
    void quotesInCommentsAndEscapedQuotesDoNotConfuseTheContext() {
        String query = "# don't count health checks\nup{path!=\"\\\"{{ variables.a }}\"} > {{ variables.b }}";
        assertThat(QueryTemplate.render(query, Map.of("variables.a", "x\"y", "variables.b", "3")))
                .isEqualTo("# don't count health checks\nup{path!=\"\\\"x\\\"y\"} > 3");
    }

    @Test
    void theBuiltInQueriesRenderUnchangedForOrdinaryValues() {
        String rendered = QueryTemplate.render(IstioQueries.REQUESTS, Map.of("namespace", "team-a", "target", "podinfo",
                "revision", "5d8c7f9b6", "interval", "1m"));
        assertThat(rendered).contains("destination_workload=\"podinfo\"").contains("destination_canonical_revision=\"5d8c7f9b6\"")
                .contains("offset 1m");
    }

    @Test
    void anUnknownVariableIsNamed() {
        assertThatThrownBy(() -> QueryTemplate.render("up{x=\"{{ variables.nope }}\"}", Map.of()))
                .hasMessageContaining("unknown variable {{ variables.nope }}");
    }

    @Test
    void aQuerySelectsTheRevisionOnlyWhereThePlaceholderIsNotInAComment() {
        assertThat(QueryTemplate.uses(IstioQueries.REQUESTS, "revision")).isTrue();
        assertThat(QueryTemplate.uses("up{ramp_dev_revision=\"{{revision}}\"}", "revision")).isTrue();
        assertThat(QueryTemplate.uses("up{namespace=\"{{ namespace }}\"}", "revision")).isFalse();
        assertThat(QueryTemplate.uses("up # by {{ revision }}\n", "revision")).isFalse();
        assertThat(QueryTemplate.uses("# {{ revision }}\nup{rev=\"{{ revision }}\"}", "revision")).isTrue();
    }
}
