package dev.ramp.testing;

import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.rollout.PhaseHandlerRegistry;
import dev.ramp.rollout.RolloutReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * The Rollout reconciler run by the Java Operator SDK against the test cluster, wired like the
 * Quarkus application but startable and stoppable at will (an operator restart mid-release).
 */
public class RampOperator implements AutoCloseable {

    private final KubernetesClient client;
    private final String prometheusAddress;
    private Operator operator;

    public RampOperator(KubernetesClient client, String prometheusAddress) {
        this.client = client;
        this.prometheusAddress = prometheusAddress;
    }

    public RampOperator start() {
        Clock clock = Clock.systemUTC();
        Conditions conditions = new Conditions(clock);
        EventRecorder events = new EventRecorder(client, clock);
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new RolloutReconciler(conditions, events,
                PhaseHandlerRegistry.create(client, conditions, events, prometheusAddress, new SimpleMeterRegistry()), clock));
        operator.start();
        return this;
    }

    public void stop() {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
