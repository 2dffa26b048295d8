package dev.ramp;

import dev.ramp.analysis.GatewayApiImplementation;
import dev.ramp.analysis.QueryBatches;
import dev.ramp.git.GitMirror;
import dev.ramp.git.GitReverter;
import dev.ramp.git.GitSourceConditions;
import dev.ramp.git.GitSync;
import dev.ramp.git.ManifestLimits;
import dev.ramp.git.ManifestReader;
import dev.ramp.git.SyncIdentities;
import dev.ramp.git.SyncRequests;
import dev.ramp.git.GitTransfers;
import dev.ramp.git.TransferLimits;
import dev.ramp.git.SyncRuns;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.InClusterAllowList;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.kube.References;
import dev.ramp.rollout.AsyncProbes;
import dev.ramp.rollout.PhaseHandlerRegistry;
import dev.ramp.rollout.RolloutEventSources;
import dev.ramp.work.OutsideWork;
import dev.ramp.routing.GatewayApiRouter;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.routing.Routers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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

    /**
     * Java Operator SDK's metrics as totals over every Rollout: quarkus-operator-sdk's default keeps
     * them per resource, a histogram of 69 buckets per Rollout (20,700 series and a 6 MB scrape at
     * 300 Rollouts, docs/scale.md), where Ramp's own series already name each Rollout.
     */
    @Produces
    @Singleton
    Metrics operatorMetrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
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

    /**
     * The threads hooks, metric queries and Git fetches run on, outside JOSDK's reconcile threads,
     * with each namespace's share (ramp.outside.*). Singleton: a final class has no proxy.
     */
    @Produces
    @Singleton
    OutsideWork outsideWork(@ConfigProperty(name = OutsideWork.THREADS_SETTING) int threads,
            @ConfigProperty(name = OutsideWork.PER_NAMESPACE_SETTING) int perNamespace,
            @ConfigProperty(name = OutsideWork.QUEUE_SETTING) int queuePerNamespace) {
        return new OutsideWork(threads, perNamespace, queuePerNamespace);
    }

    @Produces
    @Singleton
    AsyncProbes probes(KubernetesClient client, @ConfigProperty(name = "ramp.prometheus.address") String prometheusAddress,
            @ConfigProperty(name = GatewayApiImplementation.SETTING) String gatewayApi,
            @ConfigProperty(name = QueryBatches.MAX_AGE_SETTING) Duration batchMaxAge,
            MeterRegistry registry, References references, EgressPolicy egress, OutsideWork work, Clock clock) {
        return PhaseHandlerRegistry.probes(client, prometheusAddress, new GatewayApiImplementation(gatewayApi), registry,
                references, egress, work, clock, batchMaxAge);
    }

    @Produces
    @ApplicationScoped
    PhaseHandlerRegistry phaseHandlers(KubernetesClient client, EventRecorder events, MeterRegistry registry,
            GitReverter reverter, RoutePolicy routes, AsyncProbes probes,
            @ConfigProperty(name = GatewayApiRouter.MIRROR_SETTING, defaultValue = "false") boolean gatewayApiMirror) {
        return PhaseHandlerRegistry.create(client, events, registry, reverter, Routers.create(client, routes, gatewayApiMirror),
                probes);
    }

    @Produces
    @Singleton
    RolloutEventSources rolloutEventSources(PhaseHandlerRegistry handlers, AsyncProbes probes) {
        return new RolloutEventSources(handlers.generated().routingKinds(), handlers.generated().gatewayClasses(), probes.wakeups(),
                handlers.metrics());
    }

    @Produces
    @ApplicationScoped
    GitMirror gitMirror(@ConfigProperty(name = "ramp.git.cache-dir") String cacheDir,
            @ConfigProperty(name = "ramp.git.fetch-depth") int fetchDepth, EgressPolicy egress,
            @ConfigProperty(name = TransferLimits.DEADLINE_SETTING) Duration fetchTimeout,
            @ConfigProperty(name = TransferLimits.MAX_BYTES_SETTING) long maxFetchBytes) {
        return new GitMirror(Path.of(cacheDir), fetchDepth,
                new GitTransfers(egress, new TransferLimits(fetchTimeout, maxFetchBytes)));
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
    @Singleton
    SyncRuns syncRuns(KubernetesClient client, GitSync sync, OutsideWork work, Clock clock) {
        return new SyncRuns(client, sync, work, clock);
    }

    @Produces
    @ApplicationScoped
    GitReverter gitReverter(KubernetesClient client, GitMirror mirror, SyncRequests syncs) {
        return new GitReverter(client, mirror, syncs);
    }
}
