package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Classification;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.RollbackCause;
import java.util.List;
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
    void theJudgesComparisonsAreNamedWithTheEffectAndItsConfidence() {
        MetricStatus duration = compared("request-duration", "ms", 211.2, 160.0, 51.2, 40.0, 64.0, Classification.High);
        duration.getComparison().setCritical(true);
        RollbackCause cause = new RollbackCause("AnalysisFailed", "judge-score: ...").withComparisons(List.of(duration));

        assertThat(GitReverter.why(cause)).isEqualTo("AnalysisFailed: request-duration (critical): canary median 211.2 ms vs primary"
                + " 160 ms, +32% (98% CI +25..+40%), High");

        MetricStatus errors = compared("error-rate", null, 0.4, 0.0, 0.4, 0.2, 0.6, Classification.High);
        assertThat(GitReverter.why(cause.withComparisons(List.of(duration, errors)))).isEqualTo("AnalysisFailed:\n"
                + "  request-duration (critical): canary median 211.2 ms vs primary 160 ms, +32% (98% CI +25..+40%), High\n"
                + "  error-rate: canary median 0.4 vs primary 0, shift +0.4 (98% CI +0.2..+0.6), High");
    }

    @Test
    void anIntervalEndingAtZeroReadsZeroNotTheArithmeticsResidue() {
        // As the lab saw it: two equal medians, the interval's lower end -1.4e-14 ms rather than 0.
        MetricStatus equal = compared("request-duration", "ms", 24.85, 24.85, 0.0, -3.5e-15, 22.6, Classification.Pass);

        assertThat(equal.getComparison().describe("request-duration"))
                .isEqualTo("request-duration: canary median 24.85 ms vs primary 24.85 ms, 0% (98% CI 0..+91%), Pass");
    }

    private static MetricStatus compared(String name, String unit, double canary, double primary, double shift, double lower,
            double upper, Classification classification) {
        MetricComparison c = new MetricComparison();
        c.setComparedWith("primary");
        c.setCanaryPoints(30);
        c.setComparisonPoints(30);
        c.setCanaryMedian(canary);
        c.setComparisonMedian(primary);
        c.setShift(shift);
        c.setRelativeShift(primary == 0 ? null : shift / primary);
        c.setLower(lower);
        c.setUpper(upper);
        c.setConfidence(0.98);
        c.setClassification(classification);
        c.setUnit(unit);
        MetricStatus status = new MetricStatus();
        status.setName(name);
        status.setComparison(c);
        return status;
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
