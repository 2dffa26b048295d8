package dev.ramp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared test cluster gives a suite's Services more addresses than kube-api-test's 254
 * (TestCluster#moreServiceIps): 300 Services at once all get one.
 */
class TestClusterTest {

    @Test
    void moreServicesThanKubeApiTestsRangeHoldAllGetAnAddress() {
        KubernetesClient client = TestCluster.get().client();
        String namespace = TestCluster.get().newNamespace("ips");
        List<Service> created = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                created.add(client.resource(new ServiceBuilder().withNewMetadata().withName("s-" + i).withNamespace(namespace)
                        .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create());
            }
            assertThat(created).extracting(s -> s.getSpec().getClusterIP()).doesNotContainNull().doesNotHaveDuplicates()
                    .anyMatch(ip -> ip.startsWith("10.1."));
        } finally {
            // The addresses go back to the suite's other tests.
            created.forEach(s -> client.resource(s).delete());
        }
    }
}
