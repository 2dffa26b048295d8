package dev.ramp;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The lease that makes one replica of the operator active at a time, and what happens when this
 * replica stops holding it. Quarkus uses it only in the profiles named by
 * quarkus.operator-sdk.activate-leader-election-for-profiles (prod); the Helm chart turns it off
 * by running the operator in the "single" profile instead.
 *
 * <p>A lease lost while running (not renewed within the renew deadline, e.g. in an API server
 * outage, or taken by another replica) stops the operator's reconciles at once and starts it
 * again as a follower ({@link OperatorLifecycle#restartAsFollower()}): another replica may take
 * the Lease only once it has expired, a lease duration after its last renewal, which is later
 * than the renew deadline, so no two replicas reconcile at once. Ending the process instead
 * would put the pod into the kubelet's growing back-off, and a new process could not start
 * either while the API server is away. Stopping the operator (SIGTERM) also ends the leadership,
 * and must not exit from inside the JVM's shutdown: Java Operator SDK 5.2.1 calls
 * {@code System.exit} from its stop-leading callback, which blocks forever in the shutdown hook
 * (upstream issues 1614, 2496, 3376). So its exit is turned off and this class decides.
 */
@ApplicationScoped
public class LeaderElection {

    static final String NAMESPACE_MISSING = "Leader election needs the namespace of its Lease: set "
            + "RAMP_LEADER_ELECTION_LEASE_NAMESPACE (ramp.leader-election.lease-namespace), or a namespace in the "
            + "kubeconfig's current context; in a pod the service account's namespace is used. To run a single "
            + "replica without leader election, set QUARKUS_PROFILE=single.";

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    /** Who this replica is in the Lease: the pod's name, or a random one outside a pod. */
    private final String identity = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank())
            .orElseGet(() -> UUID.randomUUID().toString());
    private final OperatorLifecycle lifecycle;
    private volatile KubernetesClient client;
    private volatile String leaseName;
    private volatile String leaseNamespace;

    LeaderElection(OperatorLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /**
     * The Lease and its timing: a leader renews it every retry period and gives up when it could
     * not within the renew deadline; a follower takes a Lease not renewed for the lease duration.
     */
    @Produces
    @ApplicationScoped
    LeaderElectionConfiguration leaderElection(KubernetesClient client,
            @ConfigProperty(name = "ramp.leader-election.lease-name", defaultValue = "ramp-operator") String leaseName,
            @ConfigProperty(name = "ramp.leader-election.lease-namespace") Optional<String> leaseNamespace,
            @ConfigProperty(name = "ramp.leader-election.lease-duration") Duration leaseDuration,
            @ConfigProperty(name = "ramp.leader-election.renew-deadline") Duration renewDeadline,
            @ConfigProperty(name = "ramp.leader-election.retry-period") Duration retryPeriod) {
        String namespace = leaseNamespace.filter(n -> !n.isBlank())
                .or(() -> Optional.ofNullable(client.getNamespace()))
                .orElseThrow(() -> new IllegalStateException(NAMESPACE_MISSING));
        this.client = client;
        this.leaseName = leaseName;
        this.leaseNamespace = namespace;
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
                .withLeaseNamespace(namespace)
                .withIdentity(identity)
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(renewDeadline)
                .withRetryPeriod(retryPeriod)
                .withLeaderCallbacks(new LeaderCallbacks(() -> { }, this::stoppedLeading, leader -> { }))
                .withExitOnStopLeading(false)
                .build();
    }

    /** Runs before the operator is stopped (quarkus-operator-sdk observes with the default priority). */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        shuttingDown.set(true);
    }

    void stoppedLeading() {
        if (shuttingDown.get()) {
            // Operator.stop() cancelled the election, after its reconciles ended and before it
            // closes the client: nothing was lost, and the Lease is handed on.
            releaseLease();
            return;
        }
        LOG.error("Lost the leader election lease; stopping reconciles and rejoining the election as a follower");
        lifecycle.restartAsFollower();
    }

    /**
     * Releases the Lease this replica still holds, so another replica takes over at its next try
     * (retry period, 2 s) instead of waiting for the Lease to expire (lease duration, 15 s); Java Operator SDK 5.2.1 does
     * not release it on cancel. The write carries the Lease's resourceVersion: one another replica
     * already took is left alone. Best effort: an unreachable API server leaves the Lease to expire.
     */
    private void releaseLease() {
        try {
            Lease lease = client.leases().inNamespace(leaseNamespace).withName(leaseName).get();
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            lease.getSpec().setHolderIdentity("");
            lease.getSpec().setLeaseDurationSeconds(1);
            client.resource(lease).update();
            LOG.infof("released Lease %s/%s on stop", leaseNamespace, leaseName);
        } catch (RuntimeException e) {
            LOG.infof("Lease %s/%s not released on stop (it expires by itself): %s", leaseNamespace, leaseName,
                    e.getMessage());
        }
    }
}
