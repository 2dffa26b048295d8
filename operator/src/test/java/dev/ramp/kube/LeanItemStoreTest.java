package dev.ramp.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An informer's lean cache keeps each object, by namespace/name, without who set its fields. */
class LeanItemStoreTest {

    @Test
    void anObjectIsKeptByNamespaceAndNameWithoutItsManagedFields() {
        LeanItemStore<Deployment> store = new LeanItemStore<>();
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("podinfo").withNamespace("shop")
                .addToLabels("app", "podinfo").addToManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl")
                        .withOperation("Apply").withFieldsV1(fields())
                        .build()).endMetadata().withNewSpec().withReplicas(3).endSpec().build();

        store.put(store.getKey(deployment), deployment);

        Deployment cached = store.get("shop/podinfo");
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getMetadata().getLabels()).containsEntry("app", "podinfo");
        assertThat(cached.getSpec().getReplicas()).isEqualTo(3);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.remove("shop/podinfo")).isSameAs(cached);
        assertThat(store.values()).isEmpty();
    }

    private static FieldsV1 fields() {
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperty("f:spec", Map.of("f:replicas", Map.of()));
        return fields;
    }
}
