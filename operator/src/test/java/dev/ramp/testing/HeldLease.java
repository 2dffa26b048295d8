package dev.ramp.testing;

import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * Makes the Quarkus application under test a standby replica: before it starts, the leader
 * election Lease it will compete for is created, held by another identity ({@value #LEADER}).
 * The application judges a lease by its own lease duration from the last renewal, so the
 * renewal is dated a year ahead: the Lease stays held without anyone renewing it, and the
 * application never leads (nor exits on losing the lead, as JOSDK does).
 */
public class HeldLease implements QuarkusTestResourceLifecycleManager {

    public static final String LEADER = "another-replica";
    public static final String NAME = "ramp-operator";

    @Override
    public Map<String, String> start() {
        String namespace = TestCluster.get().newNamespace("lease");
        ZonedDateTime now = ZonedDateTime.now();
        TestCluster.get().client().resource(new LeaseBuilder().withNewMetadata().withName(NAME).withNamespace(namespace)
                .endMetadata().withNewSpec().withHolderIdentity(LEADER).withLeaseDurationSeconds(3600)
                .withAcquireTime(now).withRenewTime(now.plusYears(1)).withLeaseTransitions(0).endSpec().build()).create();
        return Map.of("ramp.leader-election.lease-name", NAME, "ramp.leader-election.lease-namespace", namespace);
    }

    @Override
    public void stop() {
    }
}
