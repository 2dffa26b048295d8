package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The judge's one grid, at fixed instants: a range starts at the first multiple of its step at or
 * after its start, never more than 1000 points before its end, and not at all when no point lies
 * between them; a canary keeps from a batched answer the points its own range would return.
 */
class RangeGridTest {

    private static final Duration STEP = Duration.ofSeconds(30);

    @Test
    void aRangeStartsAtTheFirstMultipleOfItsStepSinceTheEpochAtOrAfterItsStart() {
        Instant end = Instant.parse("2026-12-04T03:00:04.500Z");

        assertThat(RangeGrid.first(Instant.parse("2026-12-04T02:55:04.500Z"), end, STEP))
                .contains(Instant.parse("2026-12-04T02:55:30Z"));
        // Already on the grid: kept, so the point at the release's start is read as before.
        assertThat(RangeGrid.first(Instant.parse("2026-12-04T02:55:00Z"), end, STEP)).contains(Instant.parse("2026-12-04T02:55:00Z"));
        assertThat(RangeGrid.first(Instant.parse("2026-12-04T02:55:00.001Z"), end, STEP))
                .contains(Instant.parse("2026-12-04T02:55:30Z"));
        // A step of 7 s: multiples of 7 s since 1970, whatever the minute.
        assertThat(RangeGrid.alignUp(Instant.ofEpochSecond(1_796_353_201), Duration.ofSeconds(7)))
                .isEqualTo(Instant.ofEpochSecond(1_796_353_202));
    }

    @Test
    void aRangeReadsAtMostAThousandPointsAndNoneWhenTheReleaseIsYoungerThanAStep() {
        Instant end = Instant.parse("2026-12-04T03:00:04.500Z");

        // 999 steps of 30 s before the end is 18:40:34.5; the grid's next point is 18:41:00, so 999 points.
        assertThat(RangeGrid.first(Instant.parse("2026-12-01T00:00:00Z"), end, STEP)).contains(Instant.parse("2026-12-03T18:41:00Z"));
        // An end on the grid: 1000 points.
        assertThat(RangeGrid.first(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-04T03:00:00Z"), STEP))
                .contains(Instant.parse("2026-12-03T18:40:30Z"));
        // Released 4.5 s after the last point of the grid: nothing to ask yet.
        assertThat(RangeGrid.first(Instant.parse("2026-12-04T03:00:00.001Z"), end, STEP)).isEmpty();
    }

    @Test
    void aCanaryKeepsTheBatchsPointsAtOrAfterItsOwnFirstPoint() {
        Instant at = Instant.parse("2026-12-04T03:00:04.500Z");
        long t0 = Instant.parse("2026-12-04T02:58:00Z").toEpochMilli();
        long[] times = {t0, t0 + 30_000, t0 + 60_000, t0 + 90_000, t0 + 120_000};
        RangeAnswer.Series series = new RangeAnswer.Series(times, new double[] {1, 2, Double.NaN, 4, 5});
        RangeAnswer answer = new RangeAnswer(at, Instant.ofEpochMilli(t0), STEP, Map.of(List.of("shop", "podinfo"), series));

        // Its release began at 02:58:01: its own range starts at 02:58:30.
        assertThat(answer.pointsOf(answer.get("shop", "podinfo"), Instant.parse("2026-12-04T02:58:01Z"))).containsExactly(2, Double.NaN, 4, 5);
        assertThat(answer.pointsOf(answer.get("shop", "podinfo"), Instant.parse("2026-12-04T02:58:00Z"))).containsExactly(1, 2, Double.NaN, 4, 5);
        assertThat(answer.pointsOf(answer.get("shop", "cart"), Instant.parse("2026-12-04T02:58:00Z"))).isEmpty();
        assertThat(answer.pointsOf(Optional.of(series), Instant.parse("2026-12-04T03:00:01Z"))).isEmpty();
    }
}
