package dev.ramp;

import io.javaoperatorsdk.operator.RegisteredController;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the operator runs and every informer of every controller has listed and watches.
 * Replaces quarkus-operator-sdk's check, which reads Java Operator SDK's controller list under the
 * lock that a start holds while informers sync, so the probe hung for as long as a start waited
 * for an unreachable API server. This one reads only what {@link OperatorLifecycle} recorded.
 */
@Readiness
@ApplicationScoped
public class OperatorReadiness implements HealthCheck {

    static final String NAME = "Ramp operator";

    private final OperatorLifecycle lifecycle;

    OperatorReadiness(OperatorLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        if (!lifecycle.running()) {
            return response.down().withData("operator", "not started: waiting for the API server").build();
        }
        boolean healthy = true;
        for (RegisteredController controller : lifecycle.controllers()) {
            java.util.Set<String> unhealthy = controller.getControllerHealthInfo().unhealthyEventSources().keySet();
            healthy &= unhealthy.isEmpty();
            response.withData(controller.getConfiguration().getName(),
                    unhealthy.isEmpty() ? "OK" : "unhealthy: " + String.join(", ", unhealthy));
        }
        return response.status(healthy).build();
    }
}
