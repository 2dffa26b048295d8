package dev.ramp;

import dev.ramp.git.GitMirror;
import dev.ramp.git.GitReverter;
import dev.ramp.git.GitSourceConditions;
import dev.ramp.git.GitSync;
import dev.ramp.git.ManifestLimits;
import dev.ramp.git.ManifestReader;
import dev.ramp.git.SyncIdentities;
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
import java.util.Optional;

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
        return PhaseHandlerRegistry.create(client, conditions, events, prometheusAddress, registry, reverter);
    }

    @Produces
    @ApplicationScoped
    GitMirror gitMirror(@ConfigProperty(name = "ramp.git.cache-dir") String cacheDir,
            @ConfigProperty(name = "ramp.git.fetch-depth") int fetchDepth) {
        return new GitMirror(Path.of(cacheDir), fetchDepth);
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
    GitSync gitSync(KubernetesClient client, GitMirror mirror, Conditions conditions, EventRecorder events,
            @ConfigProperty(name = "ramp.sync.default-service-account") Optional<String> defaultServiceAccount,
            @ConfigProperty(name = "ramp.git.max-file-bytes") long maxFileBytes,
            @ConfigProperty(name = "ramp.git.max-total-bytes") long maxTotalBytes) {
        return new GitSync(mirror, new SyncIdentities(client, defaultServiceAccount),
                new ManifestReader(new ManifestLimits(maxFileBytes, maxTotalBytes)), conditions, events);
    }

    @Produces
    @ApplicationScoped
    GitReverter gitReverter(KubernetesClient client, GitMirror mirror, SyncRequests syncs) {
        return new GitReverter(client, mirror, syncs);
    }
}
