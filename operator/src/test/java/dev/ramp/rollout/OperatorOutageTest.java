package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.ApiServerBehindProxy;
import dev.ramp.testing.TcpProxy;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator, as the Quarkus application with leader election on, through API server outages
 * (a proxy in front of the real kube-apiserver is cut; the test keeps the server): it never
 * exits, says it is not ready while it cannot start, and after losing its Lease in an outage it
 * reconciles nothing until it leads again. An exit would stop the application, and with it the
 * readiness endpoint these tests keep reading.
 */
@QuarkusTest
@TestProfile(OperatorOutageTest.CutOff.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorOutageTest {

    /** Leader election on (prod profile), with a Lease of a few seconds; the API server cut at boot. */
    public static class CutOff implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ramp.leader-election.lease-duration", "4s", "ramp.leader-election.renew-deadline", "3s",
                    "ramp.leader-election.retry-period", "1s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ApiServerBehindProxy.class));
        }
    }

    private static final String ANOTHER_REPLICA = "another-replica";

    private final KubernetesClient client = TestCluster.get().client();
    private final HttpClient http = HttpClient.newHttpClient();

    /** The proxy between the application and the API server, cut when the application booted. */
    TcpProxy proxy;

    @TestHTTPResource(value = "/health/ready", management = true)
    URI ready;

    @ConfigProperty(name = "ramp.leader-election.lease-namespace")
    String leaseNamespace;

    @Test
    @Order(1)
    void startedWithoutAnApiServerItWaitsNotReadyAndStartsWhenTheServerAnswers() throws Exception {
        await("not ready while the API server is unreachable").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> readiness().statusCode() == 503);
        assertThat(readiness().body()).contains("Ramp operator").contains("DOWN").contains("waiting for the API server");

        proxy.resume();

        await("ready once the API server answers").atMost(Duration.ofSeconds(60)).until(() -> readiness().statusCode() == 200);
        await("leader").atMost(Duration.ofSeconds(30)).until(this::holder, holder -> holder != null && !holder.isBlank());
        String namespace = TestCluster.get().newNamespace("outage");
        client.resource(TargetNotFoundTest.rollout(namespace, "podinfo", "podinfo")).create();
        await("reconciled").atMost(Duration.ofSeconds(30)).until(() -> readyReason(namespace), "TargetNotFound"::equals);
    }

    @Test
    @Order(2)
    void afterLosingTheLeaseInAnOutageItReconcilesNothingUntilItLeadsAgain() throws Exception {
        proxy.resume();
        await("ready").atMost(Duration.ofSeconds(60)).until(() -> readiness().statusCode() == 200);
        String self = await("leader").atMost(Duration.ofSeconds(30)).until(this::holder, h -> h != null && !h.isBlank());
        // A Rollout this replica reconciled before the outage, and may be reconciling when it stops.
        String before = TestCluster.get().newNamespace("outage");
        client.resource(TargetNotFoundTest.rollout(before, "podinfo", "podinfo")).create();
        await("reconciled before").atMost(Duration.ofSeconds(30)).until(() -> readyReason(before), "TargetNotFound"::equals);

        proxy.cut();
        // Longer than the renew deadline (3 s): the Lease expires (4 s after its last renewal) and
        // a standby replica takes it, as it would in a cluster.
        await("Lease expired").atMost(Duration.ofSeconds(30)).until(() -> expired(lease()));
        takeLease(ANOTHER_REPLICA);
        proxy.resume();

        // Still running, and a follower now: ready (its caches listed again), but not reconciling.
        await("ready again").atMost(Duration.ofSeconds(60)).until(() -> readiness().statusCode() == 200);
        String namespace = TestCluster.get().newNamespace("outage");
        client.resource(TargetNotFoundTest.rollout(namespace, "podinfo", "podinfo")).create();
        await("no reconcile while another replica leads").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6))
                .until(() -> readyReason(namespace) == null);
        assertThat(holder()).isEqualTo(ANOTHER_REPLICA);

        // The other replica stops and releases the Lease: this one leads again, without having exited.
        releaseLease();
        await("leader again").atMost(Duration.ofSeconds(30)).until(this::holder, self::equals);
        await("reconciled").atMost(Duration.ofSeconds(30)).until(() -> readyReason(namespace), "TargetNotFound"::equals);
        assertThat(readiness().statusCode()).isEqualTo(200);
        // What it reconciled before losing the Lease, it reconciles again: its target named anew
        // (still missing) shows in the condition's message.
        client.resources(Rollout.class).inNamespace(before).withName("podinfo").edit(r -> {
            r.getSpec().getTargetRef().setName("podinfo-v2");
            return r;
        });
        await("reconciled again").atMost(Duration.ofSeconds(30)).until(() -> readyMessage(before),
                m -> m != null && m.contains("podinfo-v2"));
    }

    private String readyMessage(String namespace) {
        Rollout rollout = client.resources(Rollout.class).inNamespace(namespace).withName("podinfo").get();
        return rollout == null || rollout.getStatus() == null ? null
                : Conditions.find(rollout.getStatus().getConditions(), RolloutConditions.READY).map(Condition::getMessage).orElse(null);
    }

    private HttpResponse<String> readiness() throws Exception {
        return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Lease lease() {
        return client.leases().inNamespace(leaseNamespace).withName(ApiServerBehindProxy.LEASE).get();
    }

    private String holder() {
        Lease lease = lease();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static boolean expired(Lease lease) {
        ZonedDateTime renewed = lease.getSpec().getRenewTime();
        return ZonedDateTime.now().isAfter(renewed.plusSeconds(lease.getSpec().getLeaseDurationSeconds()));
    }

    /**
     * Another replica takes the Lease and keeps it: a replica judges a Lease by its own lease
     * duration from the last renewal, so the renewal is dated a year ahead (as in HeldLease).
     */
    private void takeLease(String identity) {
        ZonedDateTime now = ZonedDateTime.now().truncatedTo(ChronoUnit.MICROS);
        client.resource(lease()).edit(lease -> new LeaseBuilder(lease).editSpec().withHolderIdentity(identity)
                .withAcquireTime(now).withRenewTime(now.plusYears(1)).withLeaseDurationSeconds(3600).endSpec().build());
    }

    /** What a replica that stops gracefully does: no holder, a Lease that expires at once. */
    private void releaseLease() {
        client.resource(lease()).edit(lease -> new LeaseBuilder(lease).editSpec().withHolderIdentity("")
                .withLeaseDurationSeconds(1).endSpec().build());
    }

    private String readyReason(String namespace) {
        Rollout rollout = client.resources(Rollout.class).inNamespace(namespace).withName("podinfo").get();
        return rollout == null || rollout.getStatus() == null ? null
                : Conditions.find(rollout.getStatus().getConditions(), RolloutConditions.READY).map(Condition::getReason).orElse(null);
    }
}
