package dev.ramp.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test class of releases runs against, started once for the class and stopped after it:
 * the shared test cluster, Istio-shaped telemetry the test steers, a real Prometheus scraping
 * it, and Ramp's operator pointed at that Prometheus. Register it with
 * {@code @RegisterExtension static final RampEnvironment env = new RampEnvironment();}.
 */
public final class RampEnvironment implements BeforeAllCallback, AfterAllCallback {

    private KubernetesClient client;
    private IstioTelemetry telemetry;
    private TestPrometheus prometheus;
    private RampOperator operator;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        client = TestCluster.get().client();
        telemetry = new IstioTelemetry(client);
        prometheus = new TestPrometheus(telemetry.target());
        operator = new RampOperator(client, prometheus.address()).start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        operator.close();
        prometheus.close();
        telemetry.close();
    }

    public KubernetesClient client() {
        return client;
    }

    public IstioTelemetry telemetry() {
        return telemetry;
    }

    public TestPrometheus prometheus() {
        return prometheus;
    }

    public RampOperator operator() {
        return operator;
    }
}
