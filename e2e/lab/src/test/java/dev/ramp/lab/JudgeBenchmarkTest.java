package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.Rollout;
import dev.ramp.rollout.AnalysisSettings;
import dev.ramp.rollout.ReleasePlan;
import java.time.Duration;
import java.time.Instant;
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
    void rollbacksAreCountedPerVariantAndWayOfCheckingAndTimedAgainstTheThresholdsPromotion() throws Exception {
        Instant t = Instant.parse("2026-12-03T12:00:00Z");
        List<JudgeResults.Release> releases = List.of(
                release("aa", "judge", t, CheckedRelease.Outcome.PROMOTED, 25_100, null),
                release("aa", "judge", t.plusSeconds(30), CheckedRelease.Outcome.ROLLED_BACK, 10_600,
                        "judge-score: score 0 (pass 95, marginal 75): Failed, a critical metric failed; request-duration (critical): High"),
                release("aa", "threshold500", t, CheckedRelease.Outcome.PROMOTED, 20_100, null),
                release("aa", "threshold500", t.plusSeconds(30), CheckedRelease.Outcome.PROMOTED, 20_300, null),
                release("latency50", "judge", t, CheckedRelease.Outcome.ROLLED_BACK, 25_000, "request-duration"),
                release("latency50", "threshold200", t, null, null, "undecided after 90 s"));

        JudgeResults results = new JudgeResults(t, Duration.ofMinutes(1), releases);

        JudgeResults.Summary aa = summary(results, "aa", "judge");
        assertThat(aa.releases()).isEqualTo(2);
        assertThat(aa.rolledBack()).isEqualTo(1);
        assertThat(aa.rolledBackWithin()).isEqualTo(1);
        assertThat(aa.promoted()).isEqualTo(1);
        assertThat(aa.onLatency()).isEqualTo(1);
        assertThat(aa.onErrors()).isZero();
        JudgeResults.Summary slow = summary(results, "latency50", "judge");
        assertThat(slow.rolledBackWithin()).as("caught after the thresholds' 20.1 s").isZero();
        assertThat(summary(results, "latency50", "threshold200").undecided()).isEqualTo(1);
        assertThat(results.table()).contains("| A/A: canary identical to baseline | judge: canary vs baseline | 2 | 1 = 50.0% (")
                .contains("within 20.1 s");
        assertThat(results.json()).contains("\"thresholdAnalysisSeconds\" : 20.1");
    }

    private static JudgeResults.Release release(String variant, String contender, Instant start, CheckedRelease.Outcome outcome,
            Integer millis, String why) {
        return new JudgeResults.Release(variant, variant + "-0", "r1", start, contender, outcome,
                millis == null ? null : Duration.ofMillis(millis), 4, why);
    }

    private static JudgeResults.Summary summary(JudgeResults results, String variant, String contender) {
        return results.summaries().stream().filter(s -> s.variant().name().equals(variant) && s.contender().name().equals(contender))
                .findFirst().orElseThrow();
    }

    @Test
    void aRateOfNoneInFiftyIsStillUpToSevenPercentWithNinetyFivePercentConfidence() {
        assertThat(JudgeResults.wilson(0, 50)).containsExactly(0.0, 0.071);
        assertThat(JudgeResults.wilson(50, 50)).containsExactly(0.929, 1.0);
        assertThat(JudgeResults.percentile(List.of(3.0, 1.0, 2.0, 4.0), 0.5)).isEqualTo(2.0);
    }
}
