package dev.ramp.cli;

import static dev.ramp.cli.testing.FakeOperator.failed;
import static dev.ramp.cli.testing.FakeOperator.progressing;
import static dev.ramp.cli.testing.FakeOperator.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.Strategy;
import dev.ramp.cli.testing.FakeOperator;
import dev.ramp.cli.testing.RampCli;
import dev.ramp.cli.testing.RampCli.Result;
import dev.ramp.testing.TestCluster;
import dev.ramp.cli.testing.World;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WatchCommandTest {


    private final TestCluster cluster = TestCluster.get();
    private String namespace;
    private FakeOperator operator;
    private World world;
    private RampCli ramp;

    @BeforeEach
    void rollout() {
        namespace = cluster.newNamespace("watch");
        operator = new FakeOperator(cluster.client(), namespace);
        world = new World(cluster.client(), namespace);
        ramp = new RampCli(cluster.kubeconfigFile(), namespace);
        world.target("podinfo", "podinfo:2", "c0ffee");
        operator.create("podinfo", "podinfo", Strategy.Canary);
        operator.status("podinfo", progressing(0, 99.8).andThen(s -> s.setLastAppliedRevision(world.revision("podinfo"))));
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    @Test
    void followsASuccessfulReleaseAndExitsZero() {
        String revision = world.revision("podinfo");
        RampCli.Running watch = ramp.start("watch", "podinfo");
        operator.play("podinfo", watch::linesShown, progressing(1, 99.9), progressing(2, 99.7),
                s -> s.setPhase(Phase.Promoting), succeeded(revision, "c0ffee"));

        Result result = watch.result();

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(result.out().lines().toList()).containsExactly(
                "[##------------------]  10%  Progressing  step 1/3  request-success-rate 99.8 (min 99)  request-duration 120 (max 500)",
                "[####----------------]  20%  Progressing  step 2/3  request-success-rate 99.9 (min 99)  request-duration 120 (max 500)",
                "[##########----------]  50%  Progressing  step 3/3  request-success-rate 99.7 (min 99)  request-duration 120 (max 500)",
                "[##########----------]  50%  Promoting  step 3/3  request-success-rate 99.7 (min 99)  request-duration 120 (max 500)",
                "[--------------------]   0%  Succeeded  request-success-rate 99.7 (min 99)  request-duration 120 (max 500)",
                "rollout podinfo succeeded: revision " + revision + " promoted (commit c0ffee)");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void followsAFailingReleaseAndExitsOne() {
        RampCli.Running watch = ramp.start("watch", "podinfo");
        operator.play("podinfo", watch::linesShown, progressing(1, 80), failed("AnalysisFailed",
                "rolled back revision 8f461f56: request-success-rate: 80 is below the minimum 99")
                .andThen(s -> s.setGitRevert(new GitRevertStatus(GitRevertStatus.State.Reverted, "Reverted",
                        "reverted in Git", "5e6f7a8b"))));

        Result result = watch.result();

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RELEASE_FAILED);
        assertThat(result.out()).contains("[####----------------]  20%  Progressing  step 2/3  failed checks 1/2  "
                + "request-success-rate 80 (min 99, failed)  request-duration 120 (max 500)\n");
        assertThat(result.out()).endsWith("rollout podinfo failed: AnalysisFailed: rolled back revision 8f461f56: "
                + "request-success-rate: 80 is below the minimum 99; reverted in Git by 5e6f7a8b\n");
    }

    @Test
    void waitsForAReleaseRampHasNotStartedYet() {
        String old = world.revision("podinfo");
        operator.status("podinfo", succeeded(old, "c0ffee"));
        world.target("podinfo", "podinfo:3", "decade");
        String next = world.revision("podinfo");
        RampCli.Running watch = ramp.start("watch", "podinfo");
        operator.play("podinfo", watch::linesShown, progressing(0, 99.5).andThen(s -> s.setLastAppliedRevision(next)),
                succeeded(next, "decade").andThen(s -> s.setLastAppliedRevision(next)));

        Result result = watch.result();

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(result.out().lines().toList()).containsSubsequence(
                "waiting for Ramp to start releasing revision " + next,
                "[##------------------]  10%  Progressing  step 1/3  request-success-rate 99.5 (min 99)  request-duration 120 (max 500)",
                "rollout podinfo succeeded: revision " + next + " promoted (commit decade)");
    }

    @Test
    void aReleaseThatAlreadyFailedExitsOneAtOnce() {
        operator.status("podinfo", failed("ProgressDeadlineExceeded", "canary not ready within 600s"));

        Result result = ramp.run("watch", "podinfo");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.RELEASE_FAILED);
        assertThat(result.out()).endsWith("rollout podinfo failed: ProgressDeadlineExceeded: canary not ready within 600s\n");
    }

    @Test
    void anInitializedRolloutHasNoReleaseToWatch() {
        operator.status("podinfo", s -> {
            s.setPhase(Phase.Initialized);
            s.setCanaryWeight(0);
            s.setLastPromotedRevision(world.revision("podinfo"));
        });

        Result result = ramp.run("watch", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(result.out()).endsWith("rollout podinfo is Initialized: no release is running\n");
    }

    @Test
    void countsPassedChecksForBlueGreen() {
        operator.create("checkout", "checkout", Strategy.BlueGreen);
        operator.status("checkout", progressing(0, 99.9).andThen(s -> {
            s.setCanaryWeight(0);
            s.setIterations(3);
        }));

        Result result = ramp.run("watch", "checkout", "--timeout", "500ms");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(result.out()).startsWith("[--------------------]   0%  Progressing  check 3/5  request-success-rate 99.9 ");
        assertThat(result.err()).isEqualTo("error: timed out after 500ms with rollout \"checkout\" Progressing\n");
    }

    @Test
    void showsAPausedRelease() {
        ramp.run("pause", "podinfo");

        Result result = ramp.run("watch", "podinfo", "--timeout", "1s");

        assertThat(result.out()).startsWith("[##------------------]  10%  Progressing (paused)  step 1/3  ");
    }

    @Test
    void givesUpAfterTheTimeoutWithExitThree() {
        Result result = ramp.run("watch", "podinfo", "--timeout=1s");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(result.out().lines()).hasSize(1);
        assertThat(result.err()).isEqualTo("error: timed out after 1s with rollout \"podinfo\" Progressing\n");
    }

    @Test
    void aRolloutDeletedWhileWatchedEndsTheWatch() {
        RampCli.Running watch = ramp.start("watch", "podinfo");
        operator.when(() -> watch.linesShown() > 0,
                () -> cluster.client().resources(Rollout.class).inNamespace(namespace).withName("podinfo").delete());

        Result result = watch.result();

        assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.err()).isEqualTo("error: rollout \"podinfo\" was deleted\n");
    }

    @Test
    void aMissingRolloutIsRefusedByName() {
        Result result = ramp.run("watch", "nope");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.err()).contains("rollout \"nope\" not found");
    }

    @Test
    void aTimeoutThatIsNoDurationIsAUsageError() {
        Result result = ramp.run("watch", "podinfo", "--timeout", "soon");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("'soon' is not a duration such as 30s, 5m or 1h30m");
    }
}
