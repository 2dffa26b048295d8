package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ramp.lab.ScaleBenchmark.Memory;
import dev.ramp.lab.ScaleBenchmark.Percentiles;
import dev.ramp.lab.ScaleBenchmark.Result;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/scale.md's table of scale runs: a run replaces only the rows of its own contender, N and
 * shards; Flagger's figures stand beside Ramp's with their ratio; what Flagger does not show
 * (its heap) is a dash, and runs kept from an older docs/scale.json still read.
 */
class ScaleTableTest {

    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void aRunReplacesItsOwnRowsAndKeepsTheOthers() {
        List<Result> kept = List.of(run("ramp", 1000, 1, "old", 2.9), run("ramp", 1000, 2, "old", 2.7),
                run("ramp", 100, 1, "old", 0.4));
        List<Result> fresh = List.of(run("ramp", 100, 1, "new", 0.1), run("flagger", 100, 1, "new", 1.0));

        List<Result> merged = ScaleTable.merge(kept, fresh);

        assertThat(merged).extracting(r -> r.contender() + " " + r.rollouts() + "/" + r.shards() + " " + r.ranAt())
                .containsExactly("ramp 100/1 new", "flagger 100/1 new", "ramp 1000/1 old", "ramp 1000/2 old");
    }

    @Test
    void flaggersRowShowsNoHeapAndTheRatiosFollow() {
        String table = ScaleTable.render(List.of(run("ramp", 100, 1, "t1", 0.5), run("flagger", 100, 1, "t2", 2.0),
                run("ramp", 300, 1, "t3", 1.0)));

        assertThat(table).contains("| Flagger, 100 | t2 | 2 / 4 / 5 s |")
                .contains("| 100 promoted, 0 failed, 0 not | 100 / 200 / 150 | – | 10 |")
                .contains("| Ramp, 100 | t1 | 0.5 / 4 / 5 s |")
                .contains("| 100 | step lateness p50 (s) | 0.5 | 2 | 4.0× |")
                .doesNotContain("| 300 | step lateness");
    }

    @Test
    void aRatioNeedsBothFiguresAndRampsAboveZero() {
        assertThat(ScaleTable.ratio(6, 2)).isEqualTo("3.0×");
        assertThat(ScaleTable.ratio(6, 0)).isEqualTo("–");
        assertThat(ScaleTable.ratio(Double.NaN, 2)).isEqualTo("–");
        assertThat(ScaleTable.n(Double.NaN)).isEqualTo("–");
        assertThat(ScaleTable.n(478.46)).isEqualTo("478.46");
    }

    @Test
    void aRunReadsBackWithItsNaNsAndAnOldRunUnderItsOldNames() throws Exception {
        Result flagger = run("flagger", 100, 1, "t", 1.0);
        Result back = JSON.readValue(JSON.writeValueAsString(flagger), Result.class);
        assertThat(back.memory().heapPeak()).isNaN();
        assertThat(back).isEqualTo(flagger);

        ObjectNode old = JSON.valueToTree(run("ramp", 1000, 1, "t", 2.9));
        old.remove(List.of("contender", "ranAt", "writesPerReleasePerStep"));
        old.put("rampWritesPerRolloutPerStep", 5.16);
        old.put("contender", "ramp").put("ranAt", "2026-12-04T05:00:19Z");
        assertThat(JSON.treeToValue(old, Result.class).writesPerReleasePerStep()).isEqualTo(5.16);
    }

    private static Result run(String contender, int n, int shards, String ranAt, double lateness) {
        boolean flagger = contender.equals("flagger");
        Memory memory = new Memory(100, 200, 150, flagger ? Double.NaN : 50, flagger ? Double.NaN : 80,
                flagger ? Double.NaN : 60);
        return new Result(contender, ranAt, n, shards, Math.max(1, n / 50), 10, 2, new Percentiles(3, lateness, 4, 5),
                new Percentiles(1, 60, 61, 62), new Percentiles(1, 11, 12, 13), new Percentiles(1, 20, 21, 22), n, 0, 0,
                memory, 10, Map.of("PUT", 5.0), Map.of("PUT rollouts/status", 2.0), 5.5, 4.0, List.of());
    }
}
