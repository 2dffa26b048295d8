package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Rollout;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.ReleasePlan;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The judge's benchmark checks releases with the Rollouts docs/judge.md describes, and reports
 * rates with honest bounds: the three ways of checking differ only in their metrics (four steps of
 * 5 s, threshold 2), and a rate from few releases carries its 95% interval.
 */
class JudgeBenchmarkTest {

    @Test
    void everyWayOfCheckingIsTheSameReleaseOfFourStepsOfFiveSecondsWithThresholdTwo() {
        for (JudgeBenchmark.Contender contender : JudgeBenchmark.CONTENDERS) {
            Rollout rollout = contender.rollout("aa-0");

            assertThat(ReleasePlan.of(rollout)).hasSize(4);
            assertThat(AnalysisSettings.of(rollout).interval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(AnalysisSettings.of(rollout).threshold()).isEqualTo(2);
            assertThat(rollout.getSpec().getTargetRef().getName()).isEqualTo("aa-0");
            assertThat(rollout.getSpec().getAnalysis().getMetrics()).extracting(m -> m.getName())
                    .containsExactlyInAnyOrder("request-duration", "request-success-rate");
        }
        Rollout judged = JudgeBenchmark.CONTENDERS.get(0).rollout("aa-0");
        assertThat(judged.getSpec().getAnalysis().getJudge().getStep()).isEqualTo("1s");
        assertThat(judged.getSpec().getAnalysis().getMetrics()).allSatisfy(m -> assertThat(m.getCompare()).isNotNull());
        assertThat(JudgeBenchmark.CONTENDERS.get(2).rollout("aa-0").getSpec().getAnalysis().getMetrics())
                .filteredOn(m -> m.getName().equals("request-duration")).singleElement()
                .satisfies(m -> assertThat(m.getThresholdRange().getMax()).isEqualTo(200.0));
    }

    @Test
    void aRateOfNoneInFiftyIsStillUpToSevenPercentWithNinetyFivePercentConfidence() {
        assertThat(JudgeResults.wilson(0, 50)).containsExactly(0.0, 0.071);
        assertThat(JudgeResults.wilson(50, 50)).containsExactly(0.929, 1.0);
        assertThat(JudgeResults.percentile(List.of(3.0, 1.0, 2.0, 4.0), 0.5)).isEqualTo(2.0);
    }
}
