package dev.ramp.rollout.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A step's weight as pods of a StatefulSet, and the partition that puts the highest ordinals on the new revision. */
class StatefulSetStepsTest {

    @Test
    void aStepsPodsAreItsShareOfTheReplicasRoundedHalfUp() {
        assertThat(StatefulSetSteps.pods(5, 20)).isEqualTo(1);
        assertThat(StatefulSetSteps.pods(5, 50)).as("2.5 pods round up").isEqualTo(3);
        assertThat(StatefulSetSteps.pods(5, 100)).isEqualTo(5);
        assertThat(StatefulSetSteps.pods(10, 25)).as("2.5 pods round up").isEqualTo(3);
    }

    @Test
    void aWeightAboveZeroMovesAtLeastOnePodAndNeverMoreThanAll() {
        assertThat(StatefulSetSteps.pods(4, 5)).isEqualTo(1);
        assertThat(StatefulSetSteps.pods(1, 1)).isEqualTo(1);
        assertThat(StatefulSetSteps.pods(3, 150)).isEqualTo(3);
        assertThat(StatefulSetSteps.pods(3, 0)).isZero();
        assertThat(StatefulSetSteps.pods(0, 50)).as("a StatefulSet scaled to 0 has no pod to move").isZero();
    }

    @Test
    void thePartitionIsTheLowestOrdinalOnTheNewRevision() {
        // 5 replicas, ordinals 0..4: 20% is ordinal 4 alone, 50% ordinals 2, 3 and 4.
        assertThat(StatefulSetSteps.partition(5, 20)).isEqualTo(4);
        assertThat(StatefulSetSteps.partition(5, 50)).isEqualTo(2);
        assertThat(StatefulSetSteps.partition(5, 100)).isZero();
    }

    @Test
    void theShareIsThePodsFromThePartitionUp() {
        assertThat(StatefulSetSteps.share(5, 4)).isEqualTo(20);
        assertThat(StatefulSetSteps.share(5, 2)).isEqualTo(60);
        assertThat(StatefulSetSteps.share(3, 2)).isEqualTo(33);
        assertThat(StatefulSetSteps.share(5, 5)).isZero();
        assertThat(StatefulSetSteps.share(0, 0)).isZero();
    }
}
