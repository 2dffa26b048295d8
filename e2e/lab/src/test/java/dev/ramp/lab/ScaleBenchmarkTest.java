package dev.ramp.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scale benchmark's sizes as {@code e2e/lab.sh scale} takes them (Ramp's, over shards, or Flagger's), and how shards split the
 * namespaces: every namespace goes to exactly one shard, so no Rollout is reconciled twice or never.
 */
class ScaleBenchmarkTest {

    @Test
    void aSizeIsRolloutsAndOptionallyShards() {
        assertThat(ScaleBenchmark.Size.parse("1000")).isEqualTo(new ScaleBenchmark.Size(1000, 1));
        assertThat(ScaleBenchmark.Size.parse(" 1000/2")).isEqualTo(new ScaleBenchmark.Size(1000, 2));
    }

    @Test
    void aSizeCanBeFlaggersWithoutShards() {
        assertThat(ScaleBenchmark.Size.parse("300/flagger")).isEqualTo(new ScaleBenchmark.Size(300, 1, true));
        assertThat(ScaleBenchmark.Size.parse("300/flagger").contender()).isEqualTo("flagger");
        assertThat(ScaleBenchmark.Size.parse("300").contender()).isEqualTo("ramp");
        assertThatThrownBy(() -> ScaleBenchmark.Size.parse("300/2/flagger")).hasMessageContaining("N/flagger");
        assertThatThrownBy(() -> ScaleBenchmark.Size.parse("300/istio")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void shardsTakeEveryNamespaceOnceInTurn() {
        // 1,000 Rollouts, 50 a namespace: scale-0 to scale-19.
        List<String> first = ScaleFleet.shardNamespaces(1000, 2, 0);
        List<String> second = ScaleFleet.shardNamespaces(1000, 2, 1);
        assertThat(first).hasSize(10).startsWith("scale-0", "scale-2").doesNotContainAnyElementsOf(second);
        assertThat(second).hasSize(10).startsWith("scale-1", "scale-3");
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(all).containsExactlyInAnyOrderElementsOf(ScaleFleet.shardNamespaces(1000, 1, 0));
        assertThat(ScaleFleet.shardNamespaces(1000, 1, 0)).hasSize(20).contains("scale-19");
    }
}
