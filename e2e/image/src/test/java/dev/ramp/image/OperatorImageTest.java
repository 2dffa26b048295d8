package dev.ramp.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's image as a user's cluster runs it: started against a real kube-apiserver with
 * the default profile (leader election on), it must become ready, run as a non-root user, stop
 * within seconds of SIGTERM (the kubelet's stop), and, when another replica takes its lease,
 * stop reconciling without exiting and lead again once the Lease is free.
 */
class OperatorImageTest {

    /** The chart's terminationGracePeriodSeconds is Kubernetes' default, 30 s; stopping must take far less. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);

    private final TestCluster cluster = TestCluster.get();
    private final KubernetesClient client = cluster.client();
    private String namespace;
    private OperatorContainer operator;
    private boolean restarted;

    @BeforeEach
    void start() {
        namespace = cluster.newNamespace("image");
        operator = new OperatorContainer(cluster, namespace);
        operator.start();
        try {
            await("ready on /q/health/ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> restartedIfExited().ready(), status -> status == 200);
            await("leader").atMost(Duration.ofSeconds(60)).until(this::holder, holder -> holder != null);
        } catch (RuntimeException e) {
            System.out.println(operator.getLogs());
            throw e;
        }
    }

    @AfterEach
    void stop() {
        if (operator != null && operator.getContainerId() != null) {
            System.out.println("--- operator's log ---\n" + operator.getLogs());
            operator.stop();
        }
    }

    @Test
    void runsAsNonRootAndServesHealth() throws Exception {
        assertThat(operator.execInContainer("id", "-u").getStdout().trim()).isEqualTo("65532");
        assertThat(operator.getContainerInfo().getConfig().getUser()).isEqualTo("65532");
        assertThat(operator.ready()).isEqualTo(200);
        assertThat(holder()).as("holder of the Lease").isNotBlank();
    }

    @Test
    void stopsWithinSecondsOfSigterm() {
        long sent = System.nanoTime();
        operator.signal("TERM");

        ContainerState state = await("stopped after SIGTERM").atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(100))
                .until(operator::state, s -> !Boolean.TRUE.equals(s.getRunning()));
        Duration took = Duration.ofNanos(System.nanoTime() - sent);

        System.out.printf("SIGTERM to exit: %d ms, exit code %d%n", took.toMillis(), state.getExitCodeLong());
        assertThat(took).isLessThan(STOP_LIMIT);
        // 143 is 128 + SIGTERM, the JVM's status after running its shutdown hooks; never 137 (killed).
        assertThat(state.getExitCodeLong()).isIn(0L, 143L);
        // It gave up its Lease on the way out: another replica need not wait for it to expire.
        assertThat(holder()).as("holder of the Lease after a graceful stop").isNullOrEmpty();
    }

    @Test
    void staysRunningAsAFollowerWhenAnotherReplicaTakesTheLeaseAndLeadsAgainOnceItIsFree() {
        String self = holder();
        ZonedDateTime now = ZonedDateTime.now().truncatedTo(ChronoUnit.MICROS);
        // A replica judges a Lease by its own lease duration from the last renewal: dated a year
        // ahead, the Lease stays another's without anyone renewing it.
        client.resource(lease()).edit(lease -> new LeaseBuilder(lease).editSpec()
                .withHolderIdentity("another-replica")
                .withAcquireTime(now).withRenewTime(now.plusYears(1))
                .withLeaseDurationSeconds(3600)
                .endSpec().build());

        // Its next renewal (every 2 s) finds another holder; failing renewals give up after 10 s.
        await("gave up the lease").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(operator::getLogs, logs -> logs.contains("Lost the leader election lease"));
        await("ready again, as a follower").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> Boolean.TRUE.equals(operator.state().getRunning()) && operator.ready() == 200);
        assertThat(holder()).isEqualTo("another-replica");

        // The other replica stops and frees the Lease: this one leads again, in the same process.
        client.resource(lease()).edit(lease -> new LeaseBuilder(lease).editSpec().withHolderIdentity("")
                .withLeaseDurationSeconds(1).endSpec().build());
        await("leads again").atMost(Duration.ofSeconds(30)).until(this::holder, self::equals);
        assertThat(operator.state().getRunning()).as("never exited").isTrue();
    }

    /**
     * A container that exited before it was ready is started again, once, as a Pod would be. The
     * operator no longer exits when an informer cannot start (it retries, not ready), nor when the
     * API server cannot be reached; this stays as a net for anything else that ends the JVM early.
     */
    private OperatorContainer restartedIfExited() {
        if (!restarted && !Boolean.TRUE.equals(operator.state().getRunning())) {
            restarted = true;
            System.out.println("--- the operator exited while starting; its log, then a restart as a Pod's ---\n"
                    + operator.getLogs());
            operator.stop();
            operator = new OperatorContainer(cluster, namespace);
            operator.start();
        }
        return operator;
    }

    private Lease lease() {
        return client.leases().inNamespace(namespace).withName(OperatorContainer.LEASE).get();
    }

    private String holder() {
        Lease lease = lease();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }
}
