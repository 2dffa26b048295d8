package dev.ramp;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The lease that makes one replica of the operator active at a time. Quarkus uses it only in
 * the profiles named by quarkus.operator-sdk.activate-leader-election-for-profiles (prod); the
 * Helm chart turns it off by running the operator in the "single" profile instead.
 */
@ApplicationScoped
public class LeaderElection {

    @Produces
    @ApplicationScoped
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "ramp.leader-election.lease-name", defaultValue = "ramp-operator") String leaseName,
            @ConfigProperty(name = "ramp.leader-election.lease-namespace") Optional<String> leaseNamespace) {
        return new LeaderElectionConfiguration(leaseName, leaseNamespace.orElse(null));
    }
}
