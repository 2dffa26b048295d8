package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.WebhookSpec;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeKubelet;
import dev.ramp.testing.HostileServer;
import dev.ramp.testing.RampEnvironment;
import dev.ramp.testing.RampOperator;
import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One tenant cannot starve the others (issue 18 item 4): the webhooks of many Rollouts in one
 * namespace answer a byte at a time until their timeout, and a release in another namespace still
 * goes through its steps and is promoted meanwhile. The operator runs with 2 reconcile threads, so
 * calls made on them (as before) would stall every Rollout; on the outside threads, the slow
 * namespace holds only its share of them.
 */
class NamespaceShareTest {

    private static final int SHARE = 2;
    private static final int SLOW_ROLLOUTS = 3;

    @RegisterExtension
    static final RampEnvironment env = new RampEnvironment();

    private final KubernetesClient client = env.client();
    private HostileServer peer;
    private RampOperator operator;
    private String slow;
    private FakeKubelet slowKubelet;
    private CanaryFixture other;

    @BeforeEach
    void operatorWithFewThreads() throws Exception {
        env.operator().stop();
        operator = new RampOperator(client, env.prometheus().address()).withReconcileThreads(2)
                .withOutsideWork(4, SHARE, 64).start();
        peer = new HostileServer();
        slow = TestCluster.get().newNamespace("share-slow");
        slowKubelet = new FakeKubelet(client, slow);
        other = CanaryFixture.inNewNamespace(client, "share-other");
    }

    @AfterEach
    void cleanUp() {
        operator.close();
        other.close();
        slowKubelet.close();
        peer.close();
    }

    @Test
    void aNamespaceWhoseHooksTrickleDelaysOnlyItselfAndIsNotRolledBackForIt() {
        for (int i = 1; i <= SLOW_ROLLOUTS; i++) {
            createSlowRollout("app-" + i);
        }
        env.telemetry().serve(other.namespace, "podinfo", 100, 20);
        other.createTarget("podinfo:1.0");
        other.createRollout(r -> r.getSpec().getAnalysis().setStepWeights(List.of(20, 40)));
        for (int i = 1; i <= SLOW_ROLLOUTS; i++) {
            awaitSlowPhase("app-" + i, Phase.Initialized);
        }
        other.awaitPhase(Phase.Initialized, Duration.ofSeconds(60));
        env.prometheus().awaitScrapes();
        other.watchWeights();

        for (int i = 1; i <= SLOW_ROLLOUTS; i++) {
            release("app-" + i, "app:2.0");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> peer.open() == SHARE);
        other.release("podinfo:2.0");

        AtomicInteger mostOpen = new AtomicInteger();
        Rollout promoted = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            mostOpen.accumulateAndGet(peer.open(), Math::max);
            return other.rollout();
        }, r -> r.getStatus() != null && r.getStatus().getPhase() == Phase.Succeeded);

        // Read over a moment: a hook that reached its timeout is asked again at once, so the count
        // may dip between one call ending and the next starting.
        await("the slow namespace's hooks still hang").atMost(Duration.ofSeconds(20)).until(() -> peer.open() == SHARE);
        assertThat(mostOpen.get()).as("never more than the namespace's share of calls at once").isEqualTo(SHARE);
        assertThat(other.observedWeights()).containsExactly(0, 20, 40, 0);
        assertThat(promoted.getStatus().getLastPromotedRevision()).isEqualTo(promoted.getStatus().getLastAppliedRevision());

        // Each slow Rollout hears from its hooks in turn: a timeout is no confirmation, and no verdict.
        await().atMost(Duration.ofSeconds(60)).until(() -> slowRollouts().stream().allMatch(r -> webhooks(r).contains("timed out")));
        for (Rollout r : slowRollouts()) {
            assertThat(r.getStatus().getPhase()).isEqualTo(Phase.Progressing);
            assertThat(r.getStatus().getCanaryWeight()).isZero();
            assertThat(r.getStatus().getRollbackCause()).isNull();
            assertThat(webhooks(r)).startsWith("WaitingForConfirmation: waiting for confirm-rollout: webhook");
        }
    }

    /** A Deployment and its Rollout whose two confirm-rollout hooks answer 200 a byte every 100 ms, for ever. */
    private void createSlowRollout(String name) {
        client.resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(slow).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1.0").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        Rollout rollout = TargetNotFoundTest.rollout(slow, name, name);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setInterval("1s");
        analysis.setStepWeights(List.of(50));
        analysis.setMetrics(List.of(CanaryFixture.successRate("5s")));
        List<WebhookSpec> hooks = new ArrayList<>();
        for (String hook : List.of("gate-1", "gate-2")) {
            WebhookSpec spec = new WebhookSpec();
            spec.setName(hook);
            spec.setType(WebhookSpec.Type.ConfirmRollout);
            spec.setUrl(peer.url("/trickle/200/" + name + "/" + hook));
            spec.setTimeout("10s");
            hooks.add(spec);
        }
        analysis.setWebhooks(hooks);
        rollout.getSpec().setAnalysis(analysis);
        client.resource(rollout).create();
    }

    private void awaitSlowPhase(String name, Phase phase) {
        await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(Rollout.class).inNamespace(slow).withName(name).get(),
                r -> r != null && r.getStatus() != null && r.getStatus().getPhase() == phase);
    }

    private List<Rollout> slowRollouts() {
        return client.resources(Rollout.class).inNamespace(slow).list().getItems();
    }

    private static String webhooks(Rollout rollout) {
        return Conditions.find(rollout.getStatus().getConditions(), RolloutConditions.WEBHOOKS)
                .map(c -> c.getReason() + ": " + c.getMessage()).orElse("");
    }

    private void release(String name, String image) {
        CanaryFixture.release(client, slow, name, image);
    }
}
