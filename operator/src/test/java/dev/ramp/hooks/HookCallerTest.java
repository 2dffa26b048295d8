package dev.ramp.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.api.SecretKeyRef;
import dev.ramp.api.WebhookSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A hook's timeout is bounded and its URL shown redacted, or not at all when a Secret holds it. */
class HookCallerTest {

    @Test
    void aTimeoutAboveTheMaximumIsClamped() {
        WebhookSpec hook = new WebhookSpec();
        hook.setTimeout("10m");
        assertThat(HookCaller.timeout(hook)).isEqualTo(Duration.ofSeconds(60));
        hook.setTimeout("5s");
        assertThat(HookCaller.timeout(hook)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aUrlIsShownRedactedAndASecretUrlNotAtAll() {
        WebhookSpec hook = new WebhookSpec();
        hook.setUrl("https://hooks.example.com/notify?token=abc");
        assertThat(HookCaller.shown(hook)).isEqualTo("https://hooks.example.com/notify?token=***");
        hook.setUrl(null);
        hook.setUrlSecretRef(new SecretKeyRef("chat", "url"));
        assertThat(HookCaller.shown(hook)).isEqualTo("URL in Secret chat key url");
    }

    @Test
    void aHookAtADeniedAddressIsNotCalled() {
        WebhookSpec hook = new WebhookSpec();
        hook.setName("imds");
        hook.setUrl("http://169.254.169.254/latest/meta-data/");
        HookCaller.HookAnswer answer = new HookCaller().call("team-a", hook, "{}");
        assertThat(answer.ok()).isFalse();
        assertThat(answer.unreachable()).isTrue();
        assertThat(answer.message()).contains("not called").contains("169.254.0.0/16");
    }
}
