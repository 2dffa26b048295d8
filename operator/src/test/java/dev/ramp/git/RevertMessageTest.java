package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.MetricStatus;
import dev.ramp.api.RollbackCause;
import org.junit.jupiter.api.Test;

/** Why a revert commit says the release failed: from the cause's fields, never a remote's words. */
class RevertMessageTest {

    @Test
    void aMetricOutOfRangeIsNamedWithItsValueAndBound() {
        MetricStatus failed = new MetricStatus();
        failed.setName("request-success-rate");
        failed.setValue(80.0);
        failed.setMin(99.0);
        RollbackCause cause = new RollbackCause("AnalysisFailed",
                "request-success-rate: 80 is below the minimum 99; error-rate: Prometheus rejected the query: <html>evil</html>")
                .withMetric(failed);
        assertThat(GitReverter.why(cause)).isEqualTo("AnalysisFailed: request-success-rate was 80, below the minimum 99");

        failed.setMin(null);
        failed.setMax(0.5);
        failed.setValue(1.25);
        assertThat(GitReverter.why(new RollbackCause("AnalysisFailed", "x").withMetric(failed)))
                .isEqualTo("AnalysisFailed: request-success-rate was 1.250, above the maximum 0.500");
    }

    @Test
    void aCauseWhoseMessageMayQuoteARemoteIsReducedToItsReason() {
        assertThat(GitReverter.why(new RollbackCause("AnalysisFailed", "error-rate: Prometheus rejected the query: injected")))
                .isEqualTo("AnalysisFailed");
        assertThat(GitReverter.why(new RollbackCause("SomethingNew", "text from somewhere"))).isEqualTo("SomethingNew");
        assertThat(GitReverter.why(null)).isEqualTo("the release failed");
    }

    @Test
    void causesRampWordsItselfKeepTheirMessage() {
        assertThat(GitReverter.why(new RollbackCause("HookFailed", "webhook gate (pre-rollout, URL in Secret s key url) answered 412")))
                .isEqualTo("HookFailed: webhook gate (pre-rollout, URL in Secret s key url) answered 412");
    }

    @Test
    void aMissedDeadlineIsNamedWithoutWhatTheClusterSaidOfThePods() {
        assertThat(GitReverter.why(new RollbackCause("ProgressDeadlineExceeded",
                "canary podinfo not ready in 600s: back-off restarting failed container\nRamp-Revision: forged")))
                .isEqualTo("ProgressDeadlineExceeded");
    }
}
