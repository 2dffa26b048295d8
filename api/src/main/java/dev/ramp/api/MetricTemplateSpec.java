package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The provider to ask and the query to ask it. */
public class MetricTemplateSpec {

    @Required
    @JsonPropertyDescription("The metrics provider the query is sent to.")
    private MetricProvider provider;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("The query. Variables: {{ name }}, {{ namespace }}, {{ target }}, {{ service }}, {{ interval }}, {{ variables.NAME }}. It must return one number.")
    private String query;

    public MetricProvider getProvider() {
        return provider;
    }

    public void setProvider(MetricProvider provider) {
        this.provider = provider;
    }

    public String getQuery() {
        return query;
    }

    public void setQuery(String query) {
        this.query = query;
    }
}
