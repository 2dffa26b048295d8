package dev.ramp.cli;

import static dev.ramp.cli.testing.FakeOperator.failed;
import static dev.ramp.cli.testing.FakeOperator.progressing;
import static dev.ramp.cli.testing.FakeOperator.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.api.Strategy;
import dev.ramp.cli.testing.FakeOperator;
import dev.ramp.cli.testing.RampCli;
import dev.ramp.cli.testing.RampCli.Result;
import dev.ramp.testing.TestCluster;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ActionCommandsTest {

    private static final Pattern REQUESTED = Pattern.compile("^(\\w+) requested for rollout podinfo \\(ramp\\.dev/action=(\\w+/\\d+)\\)$",
            Pattern.MULTILINE);

    private final TestCluster cluster = TestCluster.get();
    private String namespace;
    private FakeOperator operator;
    private RampCli ramp;

    @BeforeEach
    void releaseInProgress() {
        namespace = cluster.newNamespace("action");
        operator = new FakeOperator(cluster.client(), namespace);
        ramp = new RampCli(cluster.kubeconfigFile(), namespace);
        operator.create("podinfo", "podinfo", Strategy.Canary);
        operator.status("podinfo", progressing(1, 99.9));
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    @Test
    void promoteIsRequestedAndAcknowledged() {
        operator.acknowledgeActions();

        Result result = ramp.run("promote", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        String request = request(result, "promote");
        assertThat(annotation()).isEqualTo(request);
        assertThat(rollout().getStatus().getLastAction()).isEqualTo(request);
        assertThat(result.out()).endsWith("Ramp carried out promote: rollout podinfo is Promoting\n");
    }

    @Test
    void abortIsRequestedAndAcknowledged() {
        operator.acknowledgeActions();

        Result result = ramp.run("abort", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(rollout().getStatus().getLastAction()).isEqualTo(request(result, "abort"));
        assertThat(rollout().getStatus().getPhase()).isEqualTo(Phase.Failed);
        assertThat(result.out()).endsWith("Ramp carried out abort: rollout podinfo is Failed\n");
    }

    @Test
    void retryRestartsAFailedRelease() {
        operator.status("podinfo", failed("AnalysisFailed", "request-success-rate: 80 is below the minimum 99"));
        operator.acknowledgeActions();

        Result result = ramp.run("retry", "podinfo");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(rollout().getStatus().getLastAction()).isEqualTo(request(result, "retry"));
        assertThat(result.out()).endsWith("Ramp carried out retry: rollout podinfo is Progressing\n");
    }

    @Test
    void eachRequestIsNew() {
        operator.acknowledgeActions();

        String first = request(ramp.run("promote", "podinfo"), "promote");
        operator.status("podinfo", progressing(2, 99.9));
        String second = request(ramp.run("promote", "podinfo"), "promote");

        assertThat(second).isNotEqualTo(first);
        assertThat(rollout().getStatus().getLastAction()).isEqualTo(second);
    }

    @Test
    void anUnacknowledgedRequestStaysAndExitsThree() {
        Result result = ramp.run("promote", "podinfo", "--timeout", "1s");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.TIMED_OUT);
        String request = request(result, "promote");
        assertThat(annotation()).isEqualTo(request);
        assertThat(rollout().getStatus().getLastAction()).isNull();
        assertThat(result.err()).isEqualTo("error: Ramp has not acknowledged " + request + " within 1s: is the operator"
                + " running? The request stays on the Rollout and Ramp carries it out when it next sees it\n");
    }

    @Test
    void waitFalseOnlyRequests() {
        Result result = ramp.run("abort", "podinfo", "--wait=false");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(annotation()).isEqualTo(request(result, "abort"));
        assertThat(result.out().lines()).hasSize(1);
        assertThat(rollout().getStatus().getPhase()).isEqualTo(Phase.Progressing);
    }

    @Test
    void promoteAndAbortNeedARunningRelease() {
        operator.status("podinfo", succeeded("0123456789abcdef", null));

        Result promote = ramp.run("promote", "podinfo");
        Result abort = ramp.run("abort", "podinfo", "--wait=false");

        assertThat(promote.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(promote.err()).isEqualTo("error: cannot promote rollout \"podinfo\": its phase is Succeeded; promote"
                + " applies while a release runs (phase Progressing, WaitingPromotion, Promoting)\n");
        assertThat(abort.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(abort.err()).contains("cannot abort rollout \"podinfo\": its phase is Succeeded");
        assertThat(annotation()).isNull();
    }

    @Test
    void retryNeedsAFailedRelease() {
        Result result = ramp.run("retry", "podinfo");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.err()).isEqualTo("error: cannot retry rollout \"podinfo\": its phase is Progressing; retry"
                + " applies to a failed release (phase Failed)\n");
        assertThat(annotation()).isNull();
    }

    @Test
    void pauseAndResumeSetSpecPaused() {
        Result pause = ramp.run("pause", "podinfo");
        assertThat(pause.exitCode()).as(pause.toString()).isEqualTo(ExitCodes.OK);
        assertThat(pause.out()).isEqualTo("rollout podinfo paused (phase Progressing, canary 20%)\n");
        assertThat(rollout().getSpec().isPaused()).isTrue();

        Result again = ramp.run("pause", "podinfo");
        assertThat(again.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(again.out()).isEqualTo("rollout podinfo is already paused\n");

        Result resume = ramp.run("resume", "podinfo");
        assertThat(resume.exitCode()).as(resume.toString()).isEqualTo(ExitCodes.OK);
        assertThat(resume.out()).isEqualTo("rollout podinfo resumed (phase Progressing, canary 20%)\n");
        assertThat(rollout().getSpec().isPaused()).isFalse();

        Result notPaused = ramp.run("resume", "podinfo");
        assertThat(notPaused.out()).isEqualTo("rollout podinfo is not paused\n");
    }

    @Test
    void actionsOnAMissingRolloutAreRefusedByName() {
        for (String command : new String[] {"promote", "abort", "retry", "pause", "resume"}) {
            Result result = ramp.run(command, "nope");

            assertThat(result.exitCode()).as(command).isEqualTo(ExitCodes.REFUSED);
            assertThat(result.err()).as(command).isEqualTo("error: rollout \"nope\" not found in namespace \"" + namespace + "\"\n");
        }
    }

    private static String request(Result result, String verb) {
        Matcher m = REQUESTED.matcher(result.out());
        assertThat(m.find()).as(result.toString()).isTrue();
        assertThat(m.group(1)).isEqualTo(verb);
        assertThat(m.group(2)).startsWith(verb + "/");
        return m.group(2);
    }

    private Rollout rollout() {
        return cluster.client().resources(Rollout.class).inNamespace(namespace).withName("podinfo").get();
    }

    private String annotation() {
        var annotations = rollout().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RolloutActions.ANNOTATION);
    }
}
