package dev.ramp.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** No condition's message is longer than the one bound, and a cut never bares a credential. */
class MessagesTest {

    @Test
    void aConditionQuotingAHugeGitErrorIsCutToTheBound() {
        String gitError = "fetching https://git.example.com/r.git: invalid advertisement of " + "a".repeat(2_000_000);

        Condition ready = Conditions.of("Ready", Conditions.FALSE, "GitUnreachable", gitError, 1L, Instant.EPOCH);

        assertThat(ready.getMessage()).hasSize(Messages.MAX_LENGTH + 1)
                .startsWith("fetching https://git.example.com/r.git: invalid advertisement of aaa").endsWith("a…");
    }

    @Test
    void aUrlTheBoundCutsThroughIsLeftOutWhole() {
        String prefix = "x".repeat(Messages.MAX_LENGTH - 20) + " ";
        String message = prefix + "https://deploy:a-long-password-past-the-bound@git.example.com/r.git";

        assertThat(Messages.bounded(message)).isEqualTo(prefix + "…");
        assertThat(Messages.bounded("short https://u:p@h/r.git")).isEqualTo("short https://***@h/r.git");
    }
}
