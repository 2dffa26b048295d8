package dev.ramp.testing;

import org.jboss.logging.Logger;
import dev.ramp.git.GitMirror;
import dev.ramp.git.GitReverter;
import dev.ramp.git.GitSourceConditions;
import dev.ramp.git.GitSourceReconciler;
import dev.ramp.git.GitSync;
import dev.ramp.git.GitTransfers;
import dev.ramp.git.ManifestLimits;
import dev.ramp.git.ManifestReader;
import dev.ramp.git.SyncIdentities;
import dev.ramp.git.SyncRequests;
import dev.ramp.git.TransferLimits;
import dev.ramp.git.SyncRuns;
import dev.ramp.rollout.AsyncProbes;
import dev.ramp.rollout.RolloutEventSources;
import dev.ramp.work.OutsideWork;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import dev.ramp.rollout.PhaseHandlerRegistry;
import dev.ramp.rollout.RolloutReconciler;
import dev.ramp.routing.RoutePolicy;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.kube.References;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The Rollout and GitSource reconcilers, run by the Java Operator SDK against the test cluster,
 * wired like the Quarkus application but startable and stoppable at will (an operator restart
 * mid-release). The push webhook is served only by the Quarkus application (WebhookTest); here a
 * push is the sync request it would record (GitFixture.requestSync). Its Git cache survives a restart, as a pod's would not:
 * Ramp must not rely on it either way.
 */
public class RampOperator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RampOperator.class);


    private final KubernetesClient client;
    private final String prometheusAddress;
    private final Path gitCache;
    private Operator operator;
    private String defaultServiceAccount;
    private String ownServiceAccount;
    private ManifestLimits limits = ManifestLimits.DEFAULT;
    private RoutePolicy routes = RoutePolicy.OWN_NAMES;
    private EgressPolicy egress = LoopbackEgress.policy();
    private TransferLimits transferLimits = TransferLimits.DEFAULT;
    private int[] outside = {16, 4, 64};
    private int reconcileThreads;
    private OutsideWork work;

    public RampOperator(KubernetesClient client, String prometheusAddress) {
        this.client = client;
        this.prometheusAddress = prometheusAddress;
        try {
            this.gitCache = Files.createTempDirectory("ramp-git-cache-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operator setting ramp.sync.default-service-account; set before {@link #start()}. */
    public RampOperator withDefaultServiceAccount(String serviceAccount) {
        this.defaultServiceAccount = serviceAccount;
        return this;
    }

    /**
     * The operator settings ramp.service-account.namespace and .name ({@code namespace/name}), which
     * the chart sets from the pod; set before {@link #start()}.
     */
    public RampOperator withOwnServiceAccount(String namespaceAndName) {
        this.ownServiceAccount = namespaceAndName;
        return this;
    }

    /** The operator settings ramp.git.max-file-bytes and max-total-bytes; set before {@link #start()}. */
    public RampOperator withManifestLimits(ManifestLimits limits) {
        this.limits = limits;
        return this;
    }

    /** The operator settings ramp.routing.allowed-hosts and allowed-gateways; set before {@link #start()}. */
    public RampOperator withRoutePolicy(RoutePolicy routes) {
        this.routes = routes;
        return this;
    }

    /**
     * The operator settings ramp.egress.*; set before {@link #start()}. Unset: the defaults with
     * loopback allowed ({@link LoopbackEgress}), where the tests' servers listen.
     */
    public RampOperator withEgressPolicy(EgressPolicy egress) {
        this.egress = egress;
        return this;
    }

    /** The operator settings ramp.git.fetch-timeout and ramp.git.max-fetch-bytes; set before {@link #start()}. */
    public RampOperator withTransferLimits(TransferLimits limits) {
        this.transferLimits = limits;
        return this;
    }

    /** The operator settings ramp.outside.threads, per-namespace and queue-per-namespace; set before {@link #start()}. */
    public RampOperator withOutsideWork(int threads, int perNamespace, int queuePerNamespace) {
        this.outside = new int[] {threads, perNamespace, queuePerNamespace};
        return this;
    }

    /** JOSDK's reconcile threads (its default when not set); set before {@link #start()}. */
    public RampOperator withReconcileThreads(int threads) {
        this.reconcileThreads = threads;
        return this;
    }

    public RampOperator start() {
        Clock clock = Clock.systemUTC();
        Conditions conditions = new Conditions(clock);
        EventRecorder events = new EventRecorder(client, clock);
        GitMirror mirror = new GitMirror(gitCache, GitMirror.DEFAULT_DEPTH,
                new GitTransfers(egress, transferLimits));
        SyncRequests syncs = new SyncRequests();
        operator = new Operator(o -> {
            o.withKubernetesClient(client).withCloseClientOnStop(false);
            // Java Operator SDK's default ends the JVM (System.exit(1)) when an informer stops with
            // an error. In a test JVM that runs many operators one after another, an informer
            // registered dynamically (Gateway API, KEDA kinds) by a pass racing close() stops with
            // "Client is closed" once its test's API server is gone, and took every later test
            // class with it: here it is reported instead.
            o.withInformerStoppedHandler((informer, failure) -> {
                if (failure != null) {
                    LOG.errorf(failure, "an informer of a test operator stopped: %s", failure.getMessage());
                }
            });
            if (reconcileThreads > 0) {
                o.withConcurrentReconciliationThreads(reconcileThreads);
            }
        });
        work = new OutsideWork(outside[0], outside[1], outside[2]);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AsyncProbes probes = PhaseHandlerRegistry.probes(client, prometheusAddress, registry, References.SAME_NAMESPACE,
                egress, work, clock);
        PhaseHandlerRegistry handlers = PhaseHandlerRegistry.create(client, events, registry,
                new GitReverter(client, mirror, syncs), routes, probes);
        operator.register(new RolloutReconciler(conditions, events, handlers,
                new RolloutEventSources(handlers.generated().routingKinds(), handlers.generated().gatewayClasses(),
                        probes.wakeups(), handlers.metrics()), clock));
        GitSync sync = new GitSync(mirror, new SyncIdentities(client,
                java.util.Optional.ofNullable(defaultServiceAccount), java.util.Optional.ofNullable(ownServiceAccount)),
                new ManifestReader(limits), conditions, events);
        operator.register(new GitSourceReconciler(client, new SyncRuns(client, sync, work, clock),
                new GitSourceConditions(conditions), syncs));
        operator.start();
        return this;
    }

    /** The threads for calls outside the cluster of the running operator: what its namespaces have running and waiting. */
    public OutsideWork outsideWork() {
        return work;
    }

    /**
     * Per controller, the event sources Java Operator SDK reports unhealthy: what the operator's
     * readiness check reports (OperatorReadiness), empty when it would say ready.
     */
    public java.util.Map<String, java.util.Set<String>> unhealthyEventSources() {
        java.util.Map<String, java.util.Set<String>> unhealthy = new java.util.TreeMap<>();
        for (var controller : operator.getRegisteredControllers()) {
            var sources = controller.getControllerHealthInfo().unhealthyEventSources().keySet();
            if (!sources.isEmpty()) {
                unhealthy.put(controller.getConfiguration().getName(), java.util.Set.copyOf(sources));
            }
        }
        return unhealthy;
    }

    /**
     * The names of the objects of {@code kind} in {@code namespace} that the Rollout controller's
     * informer on that kind holds: what Ramp caches.
     */
    @SuppressWarnings("unchecked")
    public <R extends io.fabric8.kubernetes.api.model.HasMetadata> java.util.List<String> cachedNames(Class<R> kind,
            String namespace) {
        var controller = (io.javaoperatorsdk.operator.processing.Controller<?>) operator.getRegisteredController("rollout")
                .orElseThrow();
        var informer = (io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource<R, ?>) controller
                .getEventSourceManager().getEventSourceFor(kind);
        return informer.list(namespace).map(o -> o.getMetadata().getName()).sorted().toList();
    }

    public void stop() {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
        if (work != null) {
            work.close();
            work = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
