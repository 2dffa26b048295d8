package dev.ramp.rollout;

import static org.awaitility.Awaitility.await;

import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.TestCluster;
import dev.ramp.testing.TestClusterResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A shard, as the Quarkus application with the operator settings the chart gives a shard
 * ({@code ramp.watch.namespaces}, {@code ramp.shard.selector}), against the real kube-apiserver:
 * it reconciles the Rollouts of its namespaces that carry its label, and no other.
 */
@QuarkusTest
@TestProfile(ShardTest.ShardOne.class)
class ShardTest {

    // Fixed: the profile's settings are read before the test runs, in another class loader.
    static final String WATCHED = "shard-one-watched";
    static final String OTHER = "shard-one-other";

    /** Shard "one": the namespace WATCHED, Rollouts labelled ramp.dev/shard=one. */
    public static class ShardOne implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ramp.watch.namespaces", WATCHED, "ramp.shard.selector", "ramp.dev/shard=one");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TestClusterResource.class));
        }
    }

    private final KubernetesClient client = TestCluster.get().client();

    @Test
    void onlyTheLabelledRolloutsOfItsNamespacesAreReconciled() {
        for (String namespace : List.of(WATCHED, OTHER)) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                    .serverSideApply();
        }
        client.resource(labelled(TargetNotFoundTest.rollout(WATCHED, "mine", "podinfo"))).create();
        client.resource(TargetNotFoundTest.rollout(WATCHED, "unlabelled", "podinfo")).create();
        client.resource(labelled(TargetNotFoundTest.rollout(OTHER, "elsewhere", "podinfo"))).create();

        await("the shard's Rollout reconciled").atMost(Duration.ofSeconds(60)).until(() -> readyReason(WATCHED, "mine"),
                "TargetNotFound"::equals);
        await("no other Rollout reconciled").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6))
                .until(() -> readyReason(WATCHED, "unlabelled") == null && readyReason(OTHER, "elsewhere") == null);

        // Labelled for the shard, a Rollout is taken on at once.
        client.resources(Rollout.class).inNamespace(WATCHED).withName("unlabelled")
                .edit(r -> labelled(r));
        await("a Rollout labelled later").atMost(Duration.ofSeconds(30)).until(() -> readyReason(WATCHED, "unlabelled"),
                "TargetNotFound"::equals);
    }

    private static Rollout labelled(Rollout rollout) {
        rollout.getMetadata().setLabels(Map.of("ramp.dev/shard", "one"));
        return rollout;
    }

    private String readyReason(String namespace, String name) {
        Rollout rollout = client.resources(Rollout.class).inNamespace(namespace).withName(name).get();
        return rollout == null || rollout.getStatus() == null ? null
                : Conditions.find(rollout.getStatus().getConditions(), RolloutConditions.READY).map(c -> c.getReason()).orElse(null);
    }
}
