package dev.ramp.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What Ramp prints of URLs and of remotes' answers. */
class RedactionTest {

    @Test
    void credentialsInTheUserinfoAreRedacted() {
        assertThat(Redaction.url("https://user:s3cret@git.example.com/team/deploy.git"))
                .isEqualTo("https://***@git.example.com/team/deploy.git");
        assertThat(Redaction.url("https://ghp_token123@github.com/o/r.git")).isEqualTo("https://***@github.com/o/r.git");
        assertThat(Redaction.url("ssh://git@git.example.com:22/o/r.git")).isEqualTo("ssh://git@git.example.com:22/o/r.git");
        assertThat(Redaction.url("ssh://git:hunter2@git.example.com/o/r.git")).isEqualTo("ssh://git:***@git.example.com/o/r.git");
        assertThat(Redaction.url("git@github.com:o/r.git")).isEqualTo("git@github.com:o/r.git");
    }

    @Test
    void tokenLikeQueryParametersAreRedactedAndOthersKept() {
        assertThat(Redaction.url("https://hooks.example.com/notify?channel=ops&token=abc123&X-Amz-Signature=f00#frag"))
                .isEqualTo("https://hooks.example.com/notify?channel=ops&token=***&X-Amz-Signature=***#frag");
        assertThat(Redaction.url("http://prometheus:9090/?api_key=k&access_token=t&sig=s&password=p"))
                .isEqualTo("http://prometheus:9090/?api_key=***&access_token=***&sig=***&password=***");
        assertThat(Redaction.url("http://loadtester/gate")).isEqualTo("http://loadtester/gate");
    }

    @Test
    void urlsInsideASentenceAreRedacted() {
        assertThat(Redaction.text("fetching https://u:p@git.example.com/r.git: not authorized (see http://x/?token=t)"))
                .isEqualTo("fetching https://***@git.example.com/r.git: not authorized (see http://x/?token=***)");
    }

    @Test
    void aRemotesAnswerLosesControlCharactersAndIsCutShort() {
        assertThat(Redaction.response("no\r\nSet-Cookie: x\u0000\u001b[31mred\u202e")).isEqualTo("no Set-Cookie: x [31mred");
        String answer = Redaction.response("x".repeat(10_000));
        assertThat(answer).hasSize(Redaction.MAX_RESPONSE + 1).endsWith("…");
        assertThat(Redaction.response(null)).isEmpty();
    }

    @Test
    void aCutNeverShowsPartOfAUrlWhoseCredentialsLieBeyondIt() {
        String answer = "see " + "x".repeat(Redaction.MAX_RESPONSE - 30) + " https://deploy:hunter2-very-long-password@git.example.com/r.git";

        String shown = Redaction.response(answer);

        assertThat(shown).isEqualTo("see " + "x".repeat(Redaction.MAX_RESPONSE - 30) + "…");
        assertThat(Redaction.shortened("a https://u:p@h/?token=t b", 100)).isEqualTo("a https://***@h/?token=*** b");
        assertThat(Redaction.shortened("a".repeat(50), 10)).isEqualTo("a".repeat(10) + "…");
    }

    /** Each of these took Ramp's former patterns hours at this size; each pattern now runs in linear time. */
    @Test
    void aMegabyteOfAdversarialTextIsRedactedWhole() {
        int size = 1_000_000;
        String letters = "a".repeat(size);
        String urlish = "a.b+c-d".repeat(size / 7);
        String schemes = "a:/".repeat(size / 3);
        String parameters = "http://x/" + "?token".repeat(size / 6);
        String names = "http://x/?" + "tokenkey".repeat(size / 8);
        String farSecret = "x".repeat(size) + "https://u:p@h/?sig=s";

        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            assertThat(Redaction.text(letters)).isEqualTo(letters);
            assertThat(Redaction.text(urlish)).isEqualTo(urlish);
            assertThat(Redaction.text(schemes)).isEqualTo(schemes);
            assertThat(Redaction.text(parameters)).isEqualTo(parameters);
            assertThat(Redaction.url(names)).isEqualTo(names);
            assertThat(Redaction.url(names + "=v")).isEqualTo(names + "=***");
            assertThat(Redaction.text(farSecret)).endsWith("xhttps://***@h/?sig=***").doesNotContain("u:p");
            assertThat(Redaction.response(letters)).isEqualTo("a".repeat(Redaction.MAX_RESPONSE) + "…");
        });
    }
}
