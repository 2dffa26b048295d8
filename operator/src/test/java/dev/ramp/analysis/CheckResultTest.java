package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict of a round of checks, and how it names itself in the Analysis condition and a rollback's message. */
class CheckResultTest {

    private static final ThresholdRange MIN_99 = new ThresholdRange(99.0, null);
    private static final ThresholdRange MIN_20 = new ThresholdRange(20.0, null);

    private static MetricOutcome enoughRequests() {
        return MetricOutcome.passed(Analysis.REQUESTS, 120, MIN_20);
    }

    @Test
    void aRoundThatPassedSaysSo() {
        CheckResult result = new CheckResult(List.of(enoughRequests(), MetricOutcome.passed("request-success-rate", 100, MIN_99)));

        assertThat(result.verdict()).isEqualTo(Verdict.Passed);
        assertThat(result.reason()).isEqualTo("ChecksPassed");
        assertThat(result.failures()).isEmpty();
    }

    @Test
    void aMetricOutOfRangeFailsTheRoundEvenBesideAnInconclusiveOne() {
        CheckResult result = new CheckResult(List.of(enoughRequests(),
                MetricOutcome.failed("request-success-rate", 70.0, MIN_99, CheckFailure.OUT_OF_RANGE, "70 is below the minimum 99"),
                MetricOutcome.failed("request-duration", null, MIN_99, CheckFailure.NO_DATA, "no data")));

        assertThat(result.verdict()).isEqualTo(Verdict.Failed);
        assertThat(result.reason()).isEqualTo("CheckFailed");
        assertThat(result.failedMetric()).hasValueSatisfying(m -> assertThat(m.getValue()).isEqualTo(70.0));
    }

    @Test
    void tooFewRequestsMakeTheRoundInconclusiveWhateverTheMetricsSay() {
        CheckResult result = new CheckResult(List.of(
                MetricOutcome.failed(Analysis.REQUESTS, 3.0, MIN_20, CheckFailure.TOO_FEW_REQUESTS, "3 requests"),
                MetricOutcome.failed("request-success-rate", 66.7, MIN_99, CheckFailure.OUT_OF_RANGE, "66.7 is below the minimum 99")));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo("CheckInconclusive");
    }

    @Test
    void tooFewRequestsNeverPass() {
        CheckResult result = new CheckResult(List.of(
                MetricOutcome.failed(Analysis.REQUESTS, 19.0, MIN_20, CheckFailure.TOO_FEW_REQUESTS, "19 requests"),
                MetricOutcome.passed("request-success-rate", 100, MIN_99)));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    }

    @Test
    void aConfigurationErrorIsInconclusiveAndNamesTheRound() {
        CheckResult result = new CheckResult(List.of(enoughRequests(),
                MetricOutcome.failed("error-budget", null, MIN_99, CheckFailure.TEMPLATE_NOT_FOUND,
                        "MetricTemplate shop/budget not found")));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo("TemplateNotFound");
        assertThat(result.summary()).isEqualTo("TemplateNotFound: error-budget: MetricTemplate shop/budget not found");
    }

    @Test
    void theWorldsFailuresAreInconclusive() {
        CheckResult result = new CheckResult(List.of(
                MetricOutcome.failed(Analysis.REQUESTS, null, MIN_20, CheckFailure.PROVIDER_UNAVAILABLE, "Prometheus at x unreachable"),
                MetricOutcome.failed("request-success-rate", null, MIN_99, CheckFailure.NO_DATA, "no data")));

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo("CheckInconclusive");
        assertThat(result.summary()).isEqualTo("canary-requests: Prometheus at x unreachable; request-success-rate: no data");
    }

    @Test
    void aRoundWithNothingInItIsNoEvidenceAndNeverPasses() {
        CheckResult result = new CheckResult(List.of());

        assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
        assertThat(result.reason()).isEqualTo("CheckInconclusive");
    }
}
