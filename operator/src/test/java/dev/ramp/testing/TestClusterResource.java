package dev.ramp.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the Quarkus application under test at the test cluster's kube-apiserver. */
public class TestClusterResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String kubeconfig = TestCluster.get().kubeconfigFile().toString();
        // fabric8's Config.autoConfigure, which Quarkus's client starts from, reads this property.
        System.setProperty("kubeconfig", kubeconfig);
        return Map.of("quarkus.kubernetes-client.trust-certs", "false");
    }

    @Override
    public void stop() {
        System.clearProperty("kubeconfig");
    }
}
