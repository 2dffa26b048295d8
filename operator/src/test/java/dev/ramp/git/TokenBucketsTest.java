package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.testing.MovingClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The webhook's rate limit, on a clock the test moves. */
class TokenBucketsTest {

    private final MovingClock clock = new MovingClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aBurstThenOneRequestPerRefillAndSaysWhenTheNextIsFree() {
        TokenBuckets buckets = new TokenBuckets(3, 6, clock);

        for (int i = 0; i < 3; i++) {
            assertThat(buckets.take("team/apps")).isZero();
        }
        assertThat(buckets.take("team/apps")).isEqualTo(Duration.ofSeconds(10));

        clock.advance(Duration.ofSeconds(4));
        assertThat(buckets.take("team/apps")).as("refused requests take no token").isEqualTo(Duration.ofSeconds(6));
        clock.advance(Duration.ofSeconds(6));
        assertThat(buckets.take("team/apps")).isZero();
        assertThat(buckets.take("team/apps")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void eachAddressHasItsOwnBucketAndIdleBucketsRefillOnlyToTheBurst() {
        TokenBuckets buckets = new TokenBuckets(2, 60, clock);
        buckets.take("team-a/apps");
        buckets.take("team-a/apps");

        assertThat(buckets.take("team-a/apps")).isPositive();
        assertThat(buckets.take("team-b/apps")).as("another team's address").isZero();

        clock.advance(Duration.ofHours(1));
        assertThat(buckets.take("team-a/apps")).isZero();
        assertThat(buckets.take("team-a/apps")).isZero();
        assertThat(buckets.take("team-a/apps")).isPositive();
    }
}
