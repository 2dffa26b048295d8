package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.ThresholdRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a round of checks names itself in the Analysis condition and in a rollback's message. */
class CheckResultTest {

    private static final ThresholdRange MIN_99 = new ThresholdRange(99.0, null);

    @Test
    void aRoundThatPassedSaysSo() {
        CheckResult result = new CheckResult(List.of(MetricOutcome.passed("request-success-rate", 100, MIN_99)));

        assertThat(result.passed()).isTrue();
        assertThat(result.reason()).isEqualTo("ChecksPassed");
        assertThat(result.failures()).isEmpty();
    }

    @Test
    void aConfigurationErrorNamesTheRoundAheadOfAFailingCanary() {
        CheckResult result = new CheckResult(List.of(
                MetricOutcome.failed("request-success-rate", 80.0, MIN_99, CheckFailure.OUT_OF_RANGE, "80 is below the minimum 99"),
                MetricOutcome.failed("error-budget", null, MIN_99, CheckFailure.TEMPLATE_NOT_FOUND,
                        "MetricTemplate shop/budget not found")));

        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).isEqualTo("TemplateNotFound");
        assertThat(result.summary()).isEqualTo("TemplateNotFound: error-budget: MetricTemplate shop/budget not found; "
                + "request-success-rate: 80 is below the minimum 99");
    }

    @Test
    void theWorldsFailuresAreAllCheckFailed() {
        CheckResult result = new CheckResult(List.of(
                MetricOutcome.failed("request-duration", null, MIN_99, CheckFailure.PROVIDER_UNAVAILABLE, "Prometheus at x unreachable"),
                MetricOutcome.failed("request-success-rate", null, MIN_99, CheckFailure.NO_DATA, "no data")));

        assertThat(result.reason()).isEqualTo("CheckFailed");
        assertThat(result.summary()).isEqualTo("request-duration: Prometheus at x unreachable; request-success-rate: no data");
    }
}
