package dev.ramp.egress;

import static org.assertj.core.api.Assertions.assertThat;

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
}
