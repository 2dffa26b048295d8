package dev.ramp;

import dev.ramp.git.GitMirror;
import dev.ramp.git.GitReverter;
import dev.ramp.git.GitSourceConditions;
import dev.ramp.git.GitSync;
import dev.ramp.git.ManifestApplier;
import dev.ramp.git.SyncRequests;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.rollout.PhaseHandlerRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
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
            @ConfigProperty(name = "ramp.prometheus.address") String prometheusAddress, MeterRegistry registry,
            GitReverter reverter) {
        return PhaseHandlerRegistry.create(client, events, prometheusAddress, registry, reverter);
    }

    @Produces
    @ApplicationScoped
    GitMirror gitMirror(@ConfigProperty(name = "ramp.git.cache-dir") String cacheDir) {
        return new GitMirror(Path.of(cacheDir));
    }

    @Produces
    @ApplicationScoped
    SyncRequests syncRequests() {
        return new SyncRequests();
    }

    @Produces
    @ApplicationScoped
    GitSourceConditions gitSourceConditions(Conditions conditions) {
        return new GitSourceConditions(conditions);
    }

    @Produces
    @ApplicationScoped
    GitSync gitSync(KubernetesClient client, GitMirror mirror, Conditions conditions, EventRecorder events) {
        return new GitSync(mirror, new ManifestApplier(client), conditions, events);
    }

    @Produces
    @ApplicationScoped
    GitReverter gitReverter(KubernetesClient client, GitMirror mirror, SyncRequests syncs) {
        return new GitReverter(client, mirror, syncs);
    }
}
