package dev.ramp.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.Classification;
import dev.ramp.api.CompareSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.Phase;
import dev.ramp.api.Rollout;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The judge's last verdict per compare metric as the operator's metrics, from the status a check recorded. */
class JudgeMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RolloutMetrics metrics = new RolloutMetrics(registry);

    @Test
    void aJudgedCheckSetsEachCompareMetricsSeriesAndTheScore() {
        metrics.judged("shop", "podinfo", analysis("request-duration"), List.of(
                threshold("error-rate"), compared("request-duration", high()), score(0.0)));

        Tags duration = Tags.of("namespace", "shop", "name", "podinfo", "metric", "request-duration");
        assertThat(value("ramp_judge_classification", duration.and("classification", "High"))).isEqualTo(1.0);
        assertThat(value("ramp_judge_classification", duration.and("classification", "Pass"))).isEqualTo(0.0);
        assertThat(value("ramp_judge_classification", duration.and("classification", "NoData"))).isEqualTo(0.0);
        assertThat(value("ramp_judge_relative_shift", duration)).isEqualTo(0.32);
        assertThat(value("ramp_judge_p_value", duration)).isEqualTo(3.1e-6);
        assertThat(value("ramp_judge_points", duration.and("side", "canary"))).isEqualTo(30.0);
        assertThat(value("ramp_judge_points", duration.and("side", "primary"))).isEqualTo(28.0);
        assertThat(value("ramp_judge_score", Tags.of("namespace", "shop", "name", "podinfo"))).isEqualTo(0.0);
        assertThat(judgeSeries()).as("a threshold metric is not the judge's").noneMatch(s -> s.contains("error-rate"))
                .hasSize(4 + 1 + 1 + 2 + 1);
    }

    @Test
    void theNextCheckReplacesTheValuesAndAValueStatusLacksIsNoSeries() {
        metrics.judged("shop", "podinfo", analysis("request-duration"), List.of(compared("request-duration", high()), score(0.0)));
        MetricComparison noData = new MetricComparison();
        noData.setComparedWith(MetricComparison.PRIMARY);
        noData.setCanaryPoints(3);
        noData.setComparisonPoints(12);
        noData.setClassification(Classification.NoData);
        metrics.judged("shop", "podinfo", analysis("request-duration"), List.of(compared("request-duration", noData), score(null)));

        Tags duration = Tags.of("namespace", "shop", "name", "podinfo", "metric", "request-duration");
        assertThat(value("ramp_judge_classification", duration.and("classification", "NoData"))).isEqualTo(1.0);
        assertThat(value("ramp_judge_classification", duration.and("classification", "High"))).isEqualTo(0.0);
        assertThat(value("ramp_judge_points", duration.and("side", "canary"))).isEqualTo(3.0);
        assertThat(judgeSeries()).as("no shift, p-value or score was recorded: no series, rather than a stale or NaN one")
                .noneMatch(s -> s.startsWith("ramp_judge_relative_shift") || s.startsWith("ramp_judge_p_value")
                        || s.startsWith("ramp_judge_score"));
    }

    @Test
    void comparedWithABaselineThePointsAreTheBaselinesAndThePrimarysSeriesGoes() {
        metrics.judged("shop", "podinfo", analysis("request-duration"), List.of(compared("request-duration", high()), score(0.0)));
        MetricComparison withBaseline = high();
        withBaseline.setComparedWith(MetricComparison.BASELINE);
        withBaseline.setComparisonPoints(29);

        metrics.judged("shop", "podinfo", analysis("request-duration"), List.of(compared("request-duration", withBaseline),
                score(0.0)));

        Tags duration = Tags.of("namespace", "shop", "name", "podinfo", "metric", "request-duration");
        assertThat(value("ramp_judge_points", duration.and("side", "baseline"))).isEqualTo(29.0);
        assertThat(value("ramp_judge_points", duration.and("side", "canary"))).isEqualTo(30.0);
        assertThat(judgeSeries()).noneMatch(s -> s.contains("side=primary"));
    }

    @Test
    void aMetricThatLeavesTheSpecLosesItsSeriesBeforeTheNextCheck() {
        metrics.judged("shop", "podinfo", analysis("request-duration", "cpu"),
                List.of(compared("request-duration", high()), compared("cpu", high()), score(0.0)));
        // Status still holds the last check's entries until the next check runs.
        metrics.judged("shop", "podinfo", analysis("cpu"),
                List.of(compared("request-duration", high()), compared("cpu", high()), score(0.0)));

        assertThat(judgeSeries()).noneMatch(s -> s.contains("request-duration")).anyMatch(s -> s.contains("cpu"));

        metrics.judged("shop", "podinfo", new AnalysisSpec(), List.of(compared("cpu", high()), score(0.0)));
        assertThat(judgeSeries()).as("no compare metric left: no score either").isEmpty();
    }

    @Test
    void aDeletedRolloutLosesAllItsSeriesAndNoOtherRolloutDoes() {
        for (String name : List.of("podinfo", "checkout")) {
            metrics.observe("shop", name, Phase.Progressing, 10);
            metrics.judged("shop", name, analysis("request-duration"), List.of(compared("request-duration", high()), score(0.0)));
            metrics.finished("shop", name, "failed", Duration.ofSeconds(3));
        }
        Rollout deleted = new Rollout();
        deleted.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("podinfo").build());

        new DeletedRollouts(metrics).onResourceDeleted(deleted);

        assertThat(registry.getMeters()).map(Meter::getId).noneMatch(id -> "podinfo".equals(id.getTag("name")))
                .anyMatch(id -> id.getName().equals("ramp_judge_score") && "checkout".equals(id.getTag("name")))
                .anyMatch(id -> id.getName().equals("ramp_rollout_weight") && "checkout".equals(id.getTag("name")));
        // A Rollout created again under the name starts afresh, its series registered anew.
        metrics.observe("shop", "podinfo", Phase.Initialized, null);
        metrics.judged("shop", "podinfo", analysis("request-duration"), List.of(compared("request-duration", high()), score(80.0)));
        assertThat(value("ramp_rollout_weight", Tags.of("namespace", "shop", "name", "podinfo"))).isEqualTo(0.0);
        assertThat(value("ramp_judge_score", Tags.of("namespace", "shop", "name", "podinfo"))).isEqualTo(80.0);
    }

    private double value(String metric, Tags tags) {
        Gauge gauge = registry.find(metric).tags(tags).gauge();
        assertThat(gauge).as("%s%s among %s", metric, tags, judgeSeries()).isNotNull();
        return gauge.value();
    }

    private List<String> judgeSeries() {
        List<String> series = new ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            if (meter.getId().getName().startsWith("ramp_judge_")) {
                Map<String, String> tags = new TreeMap<>();
                meter.getId().getTags().forEach(t -> tags.put(t.getKey(), t.getValue()));
                series.add(meter.getId().getName() + tags);
            }
        }
        return series;
    }

    private static AnalysisSpec analysis(String... compared) {
        List<MetricCheck> checks = new ArrayList<>();
        for (String name : compared) {
            MetricCheck check = new MetricCheck();
            check.setName(name);
            check.setCompare(new CompareSpec());
            checks.add(check);
        }
        MetricCheck threshold = new MetricCheck();
        threshold.setName("error-rate");
        checks.add(threshold);
        AnalysisSpec analysis = new AnalysisSpec();
        analysis.setMetrics(checks);
        return analysis;
    }

    private static MetricComparison high() {
        MetricComparison c = new MetricComparison();
        c.setComparedWith(MetricComparison.PRIMARY);
        c.setCanaryPoints(30);
        c.setComparisonPoints(28);
        c.setCanaryMedian(211.2);
        c.setComparisonMedian(160.0);
        c.setShift(51.2);
        c.setRelativeShift(0.32);
        c.setLower(40.0);
        c.setUpper(64.0);
        c.setConfidence(0.98);
        c.setPValue(3.1e-6);
        c.setClassification(Classification.High);
        return c;
    }

    private static MetricStatus compared(String name, MetricComparison comparison) {
        MetricStatus status = new MetricStatus(name, comparison.getCanaryMedian(), new ThresholdRange(), Verdict.Failed,
                comparison.summary());
        status.setComparison(comparison);
        return status;
    }

    private static MetricStatus threshold(String name) {
        return new MetricStatus(name, 0.2, new ThresholdRange(null, 1.0), Verdict.Passed, null);
    }

    private static MetricStatus score(Double value) {
        return new MetricStatus("judge-score", value, new ThresholdRange(95.0, null), Verdict.Failed, "score");
    }
}
