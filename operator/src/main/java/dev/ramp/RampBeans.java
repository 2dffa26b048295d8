package dev.ramp;

import dev.ramp.git.GitMirror;
import dev.ramp.git.GitReverter;
import dev.ramp.git.GitSourceConditions;
import dev.ramp.git.GitSync;
import dev.ramp.git.ManifestLimits;
import dev.ramp.git.ManifestReader;
import dev.ramp.git.SyncIdentities;
import dev.ramp.git.SyncRequests;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.InClusterAllowList;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.kube.References;
import dev.ramp.rollout.PhaseHandlerRegistry;
import dev.ramp.routing.RoutePolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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

    /** Where hooks, metric providers and Git remotes may be reached (ramp.egress.*). Singleton: a final class has no proxy. */
    @Produces
    @Singleton
    EgressPolicy egressPolicy(@ConfigProperty(name = "ramp.egress.allow-cidrs") Optional<List<String>> allow,
            @ConfigProperty(name = "ramp.egress.deny-cidrs") Optional<List<String>> deny,
            @ConfigProperty(name = "ramp.egress.deny-hosts") Optional<List<String>> denyHosts,
            @ConfigProperty(name = EgressPolicy.CLUSTER_CIDRS_SETTING) Optional<List<String>> clusterCidrs,
            @ConfigProperty(name = InClusterAllowList.SETTING) Optional<List<String>> inClusterAllowed) {
        return EgressPolicy.of(allow.orElse(List.of()), deny.orElse(List.of()), denyHosts.orElse(List.of()),
                clusterCidrs.orElse(List.of()), inClusterAllowed.orElse(List.of()));
    }

    @Produces
    @Singleton
    References references(@ConfigProperty(name = "ramp.allow-cross-namespace-refs") boolean allowCrossNamespaceRefs) {
        return new References(allowCrossNamespaceRefs);
    }

    /** The hosts and gateways a Rollout may route besides its own Service names (ramp.routing.*). */
    @Produces
    @Singleton
    RoutePolicy routePolicy(@ConfigProperty(name = RoutePolicy.HOSTS_SETTING) Optional<List<String>> hosts,
            @ConfigProperty(name = RoutePolicy.GATEWAYS_SETTING) Optional<List<String>> gateways) {
        return RoutePolicy.of(hosts.orElse(List.of()), gateways.orElse(List.of()));
    }

    @Produces
    @ApplicationScoped
    PhaseHandlerRegistry phaseHandlers(KubernetesClient client, EventRecorder events,
            @ConfigProperty(name = "ramp.prometheus.address") String prometheusAddress, MeterRegistry registry,
            GitReverter reverter, References references, EgressPolicy egress, RoutePolicy routes) {
        return PhaseHandlerRegistry.create(client, events, prometheusAddress, registry, reverter, references, egress, routes);
    }

    @Produces
    @ApplicationScoped
    GitMirror gitMirror(@ConfigProperty(name = "ramp.git.cache-dir") String cacheDir,
            @ConfigProperty(name = "ramp.git.fetch-depth") int fetchDepth, EgressPolicy egress) {
        return new GitMirror(Path.of(cacheDir), fetchDepth, egress);
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
            @ConfigProperty(name = "ramp.service-account.namespace") Optional<String> ownNamespace,
            @ConfigProperty(name = "ramp.service-account.name") Optional<String> ownName,
            @ConfigProperty(name = "ramp.git.max-file-bytes") long maxFileBytes,
            @ConfigProperty(name = "ramp.git.max-total-bytes") long maxTotalBytes) {
        Optional<String> own = ownName.flatMap(name -> ownNamespace.map(namespace -> namespace + "/" + name));
        return new GitSync(mirror, new SyncIdentities(client, defaultServiceAccount, own),
                new ManifestReader(new ManifestLimits(maxFileBytes, maxTotalBytes)), conditions, events);
    }

    @Produces
    @ApplicationScoped
    GitReverter gitReverter(KubernetesClient client, GitMirror mirror, SyncRequests syncs) {
        return new GitReverter(client, mirror, syncs);
    }
}
