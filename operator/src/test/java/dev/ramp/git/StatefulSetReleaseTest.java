package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.Rollout;
import dev.ramp.kube.Conditions;
import dev.ramp.testing.FakeStatefulSetController;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A StatefulSet released by its partition (docs/statefulsets.md), declared in Git as
 * docs/examples/statefulset.yaml and synced by a GitSource, against a real API server where
 * {@link FakeStatefulSetController} stands in for the StatefulSet controller and the kubelet. What
 * a user sees: the partition Ramp sets at each step, the revision each pod runs, the phases, the
 * volume claims, and the revert commit in Git.
 */
class StatefulSetReleaseTest extends StatefulSetGitTest {

    @Override
    String example() {
        return "docs/examples/statefulset.yaml";
    }

    @Test
    void aGoodReleaseIsPromotedOrdinalByOrdinalAndThePartitionRestsAtTheReplicaCount() throws Exception {
        bootstrap();
        Map<String, String> claims = claims();
        assertThat(claims).hasSize(4);

        release("registry.example.com/ledger:2.0", "ledger 2.0");
        Rollout done = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Succeeded);

        // Steps 25 and 50 of 4 pods: ordinal 3 (partition 3), then 2 and 3 (partition 2); the promotion
        // moves the rest (0), and the partition rests at 4 again.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(partitions).containsSubsequence(4, 3, 2, 0, 4));
        assertThat(Conditions.isTrue(done.getStatus().getConditions(), "Promoted")).isTrue();
        String revision = done.getStatus().getLastPromotedRevision();
        await().atMost(Duration.ofSeconds(10)).until(() -> partition() == 4);
        assertThat(allOn(revision)).isTrue();
        assertThat(pods()).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example.com/ledger:2.0"));
        assertThat(client.v1().events().inNamespace(fx.namespace).list().getItems())
                .filteredOn(e -> "StepAdvanced".equals(e.getReason())).extracting(e -> e.getMessage())
                .anySatisfy(m -> assertThat(m).startsWith("Step 2 of 2: canary weight 50% (StatefulSet: partition 2, 2 of 4 pods"));
        assertThat(claims()).as("the same volume claims, none deleted or recreated").isEqualTo(claims);
    }

    @Test
    void aBadReleaseIsRolledBackWithEveryPodOnThePromotedRevisionAndRevertedInGit() throws Exception {
        String stable = bootstrap();
        Map<String, String> claims = claims();
        String promoted = rollout().getStatus().getLastPromotedRevision();
        // The new version's pods never become ready (a crash, a failing readiness probe).
        controller.breaks("registry.example.com/ledger:2.0-bad");
        String bad = release("registry.example.com/ledger:2.0-bad", "ledger 2.0-bad");

        Rollout reverted = awaitRollout(RELEASE, r -> r.getStatus().getPhase() == Phase.Failed
                && Conditions.isTrue(r.getStatus().getConditions(), "GitReverted"));
        assertThat(reverted.getStatus().getRollbackCause().getReason()).isEqualTo(RollbackCause.PROGRESS_DEADLINE_EXCEEDED);
        assertThat(reverted.getStatus().getGitRevert().getState()).isEqualTo(GitRevertStatus.State.Reverted);
        assertThat(partitions).as("the first step moved ordinal 3 alone").containsSubsequence(4, 3).doesNotContain(2, 0);

        // Every ordinal back on the promoted revision and ready, the partition at rest.
        await().atMost(Duration.ofSeconds(30)).until(() -> allOn(promoted) && partition() == 4);
        assertThat(pods()).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example.com/ledger:1.0"));

        // Git declares 1.0 again, in Ramp's revert commit on top of the bad one.
        String revert = reverted.getStatus().getGitRevert().getCommit();
        assertThat(fx.dev.read("main", FILE)).contains("registry.example.com/ledger:1.0").doesNotContain("2.0-bad");
        assertThat(fx.dev.log().get(0).name()).isEqualTo(revert);
        assertThat(fx.dev.log().get(1).name()).isEqualTo(bad);
        assertThat(fx.dev.log().get(0).getFullMessage()).contains("Revert ledger", "of StatefulSet ledger");
        // The revert synced back: the StatefulSet declares the promoted revision, and no release started.
        fx.awaitSource(Duration.ofSeconds(30), s -> revert.equals(s.getStatus().getLastAppliedCommit()));
        await().atMost(Duration.ofSeconds(10)).until(() -> promoted.equals(statefulSet().getStatus().getUpdateRevision()));
        assertThat(rollout().getStatus().getPhase()).isEqualTo(Phase.Failed);
        assertThat(allOn(promoted)).isTrue();
        assertThat(claims()).as("the same volume claims, none deleted or recreated").isEqualTo(claims);
        assertThat(stable).isNotEqualTo(bad);
    }
}
