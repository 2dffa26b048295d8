package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeStatefulSetController;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A StatefulSet released by its partition behind Istio (docs/statefulsets.md#behind-a-router),
 * declared in Git as docs/examples/statefulset-istio.yaml and synced by a GitSource, against a real
 * API server with Istio's CRDs, where {@link FakeStatefulSetController} stands in for the
 * StatefulSet controller and the kubelet. What a user sees: the VirtualService's weights at each
 * step, the selectors of the Services ledger-primary and ledger-canary, the partitions, the
 * revision each pod runs, and the revert commit in Git.
 */
class StatefulSetMeshReleaseTest extends StatefulSetGitTest {

    private final List<String> weights = Collections.synchronizedList(new ArrayList<>());
    private Watch routeWatch;

    @Override
    String example() {
        return "docs/examples/statefulset-istio.yaml";
    }

    /** The route, from its first split on: each change of its weights. */
    @Override
    void bootstrapped() {
        await().atMost(Duration.ofSeconds(30)).until(() -> "ledger-primary=100,ledger-canary=0".equals(destinations()));
        routeWatch = client.resources(VirtualService.class).inNamespace(fx.namespace).withName("ledger").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, VirtualService route) {
                String split = destinations(route);
                if (weights.isEmpty() || !weights.get(weights.size() - 1).equals(split)) {
                    weights.add(split);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    @Override
    void closeWatches() {
        if (routeWatch != null) {
            routeWatch.close();
        }
    }

    @Test
    void aGoodReleaseMovesTheRoutesWeightsWithThePodsAndThePrimarysSelectorFollowsThePromotion() throws Exception {
        bootstrap();
        String promoted = rollout().getStatus().getLastPromotedRevision();
        assertThat(selector("ledger-primary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", promoted));

        release("registry.example.com/ledger:2.0", "ledger 2.0");
        String revision = awaitRollout(Duration.ofSeconds(20), r -> r.getStatus().getPhase() == Phase.Progressing)
                .getStatus().getLastAppliedRevision();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(selector("ledger-canary"))
                .isEqualTo(Map.of("app", "ledger", "controller-revision-hash", revision)));
        Rollout done = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Succeeded);

        // Steps 10 and 50 of 4 pods: ordinal 3 takes 10% of the requests (a mesh splits by request, not
        // by pod), ordinals 2 and 3 half; the promotion gives the canary's Service everything while
        // ordinals 0 and 1 move, then the primary's Service, now selecting the revision, all of it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights).containsExactly(
                "ledger-primary=100,ledger-canary=0", "ledger-primary=90,ledger-canary=10", "ledger-primary=50,ledger-canary=50",
                "ledger-primary=0,ledger-canary=100", "ledger-primary=100,ledger-canary=0"));
        assertThat(partitions).containsSubsequence(4, 3, 2, 0, 4);
        assertThat(done.getStatus().getLastPromotedRevision()).isEqualTo(revision);
        assertThat(selector("ledger-primary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", revision));
        assertThat(selector("ledger-canary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", revision));
        assertThat(client.services().inNamespace(fx.namespace).withName("ledger").get().getSpec().getSelector())
                .as("the clients' Service is the user's, left as Git declares it").isEqualTo(Map.of("app", "ledger"));
        await().atMost(Duration.ofSeconds(10)).until(() -> partition() == 4);
        assertThat(allOn(revision)).isTrue();
        assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                .filteredOn(e -> "StepAdvanced".equals(e.getReason())).extracting(e -> e.getMessage())
                .anySatisfy(m -> assertThat(m).startsWith("Step 1 of 2: canary weight 10% (StatefulSet: partition 3, 1 of 4 pod on"
                        + " revision " + revision + ", the route gives Service ledger-canary 10% once they are ready)"));
    }

    @Test
    void aBadReleaseNeverReachesTheRouteAndIsRolledBackWithTheSelectorsOnTheirRevisions() throws Exception {
        bootstrap();
        String promoted = rollout().getStatus().getLastPromotedRevision();
        // The new version's pods never become ready.
        controller.breaks("registry.example.com/ledger:2.0-bad");
        String bad = release("registry.example.com/ledger:2.0-bad", "ledger 2.0-bad");

        Rollout reverted = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Failed
                && Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));
        assertThat(reverted.getStatus().getRollbackCause().getReason()).isEqualTo(RollbackCause.PROGRESS_DEADLINE_EXCEEDED);
        String failed = reverted.getStatus().getLastAppliedRevision();
        assertThat(failed).isNotEqualTo(promoted);
        assertThat(weights).as("ordinal 3 never became ready: the canary's Service was never given a request")
                .containsOnly("ledger-primary=100,ledger-canary=0");
        assertThat(selector("ledger-primary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", promoted));
        assertThat(selector("ledger-canary")).isEqualTo(Map.of("app", "ledger", "controller-revision-hash", failed));

        await().atMost(Duration.ofSeconds(30)).until(() -> allOn(promoted) && partition() == 4);
        assertThat(fx.dev.read("main", FILE)).contains("registry.example.com/ledger:1.0").doesNotContain("2.0-bad");
        assertThat(fx.dev.log().get(1).name()).isEqualTo(bad);
        assertThat(destinations()).isEqualTo("ledger-primary=100,ledger-canary=0");
    }

    /** The selector of Service {@code name}. */
    private Map<String, String> selector(String name) {
        var service = client.services().inNamespace(fx.namespace).withName(name).get();
        return service == null ? Map.of() : service.getSpec().getSelector();
    }

    /** The destinations of the VirtualService's default route now, host=weight in order. */
    private String destinations() {
        VirtualService route = client.resources(VirtualService.class).inNamespace(fx.namespace).withName("ledger").get();
        return route == null ? "" : destinations(route);
    }

    private static String destinations(VirtualService route) {
        return route.getSpec().getHttp().stream().filter(r -> "primary".equals(r.getName())).findFirst()
                .map(r -> r.getRoute().stream().map(d -> d.getDestination().getHost() + "=" + d.getWeight())
                        .collect(Collectors.joining(","))).orElse("");
    }
}
