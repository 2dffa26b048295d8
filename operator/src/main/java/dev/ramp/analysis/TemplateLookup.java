package dev.ramp.analysis;

import dev.ramp.api.MetricTemplate;
import java.util.Collection;
import java.util.Optional;

/** Finds a MetricTemplate by namespace and name among those observed (the informer's cache); never asks the API server. */
@FunctionalInterface
public interface TemplateLookup {

    Optional<MetricTemplate> find(String namespace, String name);

    /** The lookup over {@code templates}, e.g. a Rollout's referenced templates as cached. */
    static TemplateLookup of(Collection<MetricTemplate> templates) {
        return (namespace, name) -> templates.stream()
                .filter(t -> namespace.equals(t.getMetadata().getNamespace()) && name.equals(t.getMetadata().getName()))
                .findFirst();
    }
}
