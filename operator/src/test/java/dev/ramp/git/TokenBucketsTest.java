package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The webhook's rate limit, on a clock the test moves. */
class TokenBucketsTest {

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void aBurstThenOneRequestPerRefillAndSaysWhenTheNextIsFree() {
        TokenBuckets buckets = new TokenBuckets(3, 6, clock);

        for (int i = 0; i < 3; i++) {
            assertThat(buckets.take("team/apps")).isZero();
        }
        assertThat(buckets.take("team/apps")).isEqualTo(Duration.ofSeconds(10));

        now = now.plusSeconds(4);
        assertThat(buckets.take("team/apps")).as("refused requests take no token").isEqualTo(Duration.ofSeconds(6));
        now = now.plusSeconds(6);
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

        now = now.plus(Duration.ofHours(1));
        assertThat(buckets.take("team-a/apps")).isZero();
        assertThat(buckets.take("team-a/apps")).isZero();
        assertThat(buckets.take("team-a/apps")).isPositive();
    }
}
