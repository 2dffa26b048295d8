package dev.ramp.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Optional;

/**
 * The objects {@code helm template} printed for one set of values, parsed into the fabric8
 * model so that tests read them as the API server would.
 */
record RenderedChart(List<HasMetadata> objects) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static RenderedChart parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        if (parsed instanceof List<?> list) {
            return new RenderedChart(list.stream().map(HasMetadata.class::cast).toList());
        }
        return new RenderedChart(List.of((HasMetadata) parsed));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(
                "no " + type.getSimpleName() + " " + name + " among " + objects.stream()
                        .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    /** The operator container of the Deployment named {@code name}. */
    Container operator(String name) {
        List<Container> containers = one(Deployment.class, name).getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).as("containers of Deployment " + name).hasSize(1);
        return containers.get(0);
    }

    /** The literal value of an environment variable of the operator container. */
    String env(String deployment, String variable) {
        return operator(deployment).getEnv().stream().filter(e -> e.getName().equals(variable))
                .map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no env var " + variable + " in Deployment " + deployment));
    }
}
