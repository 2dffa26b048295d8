package dev.ramp.hooks;

import dev.ramp.api.WebhookSpec;
import dev.ramp.api.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * POSTs a release's JSON payload to one webhook, once, bounded by the hook's timeout. There is no
 * retry loop here, so no reconcile thread sleeps: a hook that could not answer is asked again at
 * the release's next check. The answer is an {@link HookAnswer}, never an exception.
 */
public class HookCaller {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public HookAnswer call(WebhookSpec hook, String payload) {
        Duration timeout = Durations.parse(hook.getTimeout() == null ? "10s" : hook.getTimeout());
        String where = "webhook " + hook.getName() + " (" + wireName(hook.getType()) + ", " + hook.getUrl() + ")";
        return once(hook, payload, timeout, where);
    }

    private HookAnswer once(WebhookSpec hook, String payload, Duration timeout, String where) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(hook.getUrl())).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body() == null ? "" : response.body().strip();
            return new HookAnswer(response.statusCode(), where + " answered " + response.statusCode()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "…" : body)));
        } catch (HttpTimeoutException e) {
            return new HookAnswer(-1, where + " timed out after " + timeout.toMillis() + "ms");
        } catch (IOException e) {
            return new HookAnswer(-1, where + " unreachable: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        } catch (IllegalArgumentException e) {
            return new HookAnswer(-2, where + ": invalid URL: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }

    /** The type as the API spells it: confirm-rollout, pre-rollout, rollout, … */
    public static String wireName(WebhookSpec.Type type) {
        return type.name().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** What a hook answered: its HTTP status (negative when it could not be reached) and a sentence saying so. */
    public record HookAnswer(int status, String message) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /**
         * No answer from the hook itself: not reached, timed out, or a gateway in front of it
         * saying so (502, 503, 504). Such an answer says nothing about the canary.
         */
        public boolean unreachable() {
            return status < 0 || status == 502 || status == 503 || status == 504;
        }
    }
}
