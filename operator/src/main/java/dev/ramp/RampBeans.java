package dev.ramp;

import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.rollout.PhaseHandlerRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** Wires the operator's collaborators for Quarkus; tests build them by hand instead. */
@ApplicationScoped
public class RampBeans {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @ApplicationScoped
    Conditions conditions(Clock clock) {
        return new Conditions(clock);
    }

    @Produces
    @ApplicationScoped
    EventRecorder eventRecorder(KubernetesClient client, Clock clock) {
        return new EventRecorder(client, clock);
    }

    @Produces
    @ApplicationScoped
    PhaseHandlerRegistry phaseHandlers(KubernetesClient client, Conditions conditions, EventRecorder events,
            @ConfigProperty(name = "ramp.prometheus.address") String prometheusAddress, MeterRegistry registry) {
        return PhaseHandlerRegistry.create(client, conditions, events, prometheusAddress, registry);
    }
}
