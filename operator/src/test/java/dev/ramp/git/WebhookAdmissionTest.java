package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.testing.MovingClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the push webhook admits before reading a body, on a clock the test moves. */
class WebhookAdmissionTest {

    private final MovingClock clock = new MovingClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void anAddressWhoseRequestsWereRefusedIsRefusedWhileAnotherIsStillAdmitted() {
        WebhookAdmission admission = new WebhookAdmission(new WebhookAdmission.Limit(3, 6),
                new WebhookAdmission.Limit(100, 600), 100, clock);

        for (int i = 0; i < 3; i++) {
            assertThat(admission.admit("203.0.113.7")).isEmpty();
            admission.refused("203.0.113.7");
            admission.release();
        }
        var refused = admission.admit("203.0.113.7").orElseThrow();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(refused.message()).contains("refused requests from this address");
        assertThat(admission.admit("198.51.100.1")).as("another address").isEmpty();

        clock.advance(Duration.ofSeconds(10));
        assertThat(admission.admit("203.0.113.7")).as("a token later").isEmpty();
    }

    @Test
    void manyAddressesTogetherAreLimitedByTheGlobalBucket() {
        WebhookAdmission admission = new WebhookAdmission(new WebhookAdmission.Limit(3, 6),
                new WebhookAdmission.Limit(5, 60), 100, clock);

        for (int i = 0; i < 5; i++) {
            assertThat(admission.admit("203.0.113." + i)).isEmpty();
            admission.refused("203.0.113." + i);
            admission.release();
        }
        var refused = admission.admit("203.0.113.99").orElseThrow();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.message()).isEqualTo("too many refused requests");

        clock.advance(Duration.ofSeconds(1));
        assertThat(admission.admit("203.0.113.99")).isEmpty();
    }

    @Test
    void requestsThatWereNotRefusedAreNeverCharged() {
        WebhookAdmission admission = new WebhookAdmission(new WebhookAdmission.Limit(3, 6),
                new WebhookAdmission.Limit(5, 60), 100, clock);

        for (int i = 0; i < 50; i++) {
            assertThat(admission.admit("203.0.113.7")).as("signed push %d through one proxy address", i).isEmpty();
            admission.release();
        }
    }

    @Test
    void atMostSoManyRequestsAreReadAtOnceAndAnAnsweredOneFreesItsPlace() {
        WebhookAdmission admission = new WebhookAdmission(new WebhookAdmission.Limit(100, 600),
                new WebhookAdmission.Limit(100, 600), 2, clock);

        assertThat(admission.admit("203.0.113.1")).isEmpty();
        assertThat(admission.admit("203.0.113.2")).isEmpty();
        var busy = admission.admit("203.0.113.3").orElseThrow();
        assertThat(busy.status()).isEqualTo(503);
        assertThat(admission.inFlight()).isEqualTo(2);

        admission.release();
        assertThat(admission.admit("203.0.113.3")).isEmpty();
        assertThat(admission.inFlight()).isEqualTo(2);
    }
}
