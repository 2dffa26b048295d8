package dev.ramp.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import dev.ramp.testing.TestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;

/**
 * Run outside a cluster with leader election on and nowhere to take the Lease's namespace from
 * (no RAMP_LEADER_ELECTION_LEASE_NAMESPACE, no namespace in the kubeconfig), the operator stops
 * at once and says what to set, instead of JOSDK's "cannot be inferred".
 */
class LeaseNamespaceTest {

    @Test
    void refusesToStartWithoutALeaseNamespaceAndSaysWhatToSet() {
        try (OperatorContainer operator = new OperatorContainer(TestCluster.get(), null)
                .withStartupCheckStrategy(new Started())) {
            operator.start();

            ContainerState state = await("exited").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(operator::state, s -> !Boolean.TRUE.equals(s.getRunning()));

            assertThat(state.getExitCodeLong()).isNotZero();
            assertThat(operator.getLogs())
                    .contains("RAMP_LEADER_ELECTION_LEASE_NAMESPACE")
                    .contains("QUARKUS_PROFILE=single");
        }
    }

    /** Started is enough: this container is expected to exit, which the test checks itself. */
    private static final class Started extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient client, String containerId) {
            return StartupStatus.SUCCESSFUL;
        }
    }
}
