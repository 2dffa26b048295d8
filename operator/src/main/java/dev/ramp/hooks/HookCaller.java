package dev.ramp.hooks;

import dev.ramp.api.Durations;
import dev.ramp.api.EgressReasons;
import dev.ramp.api.WebhookReasons;
import dev.ramp.api.WebhookSpec;
import dev.ramp.egress.BoundedExchange;
import dev.ramp.egress.EgressDeniedException;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.Redaction;
import dev.ramp.kube.SecretValues;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * POSTs a release's JSON payload to one webhook, once, bounded by the hook's timeout (at most
 * {@link WebhookSpec#MAX_TIMEOUT}), which covers the whole exchange, body included, and reading at
 * most {@value #MAX_ANSWER_BYTES} bytes of its answer ({@link BoundedExchange}). There is no retry
 * loop here, so no reconcile thread sleeps: a hook that could not answer is asked again at the
 * release's next check. The answer is an {@link HookAnswer}, never an exception.
 *
 * <p>The URL is the hook's {@code url} or the value of its {@code urlSecretRef}, read from the
 * Rollout's namespace, a tenant's URL: the operator's {@link EgressPolicy} for that namespace
 * checks the addresses its host resolves to, and the call goes to those addresses only
 * ({@link BoundedExchange}); redirects are not followed. A refusal names the field
 * ({@code spec.analysis.webhooks[2].url}) and why. A URL from a Secret is never shown: answers
 * name the Secret. An inline URL is shown redacted ({@link Redaction#url}).
 */
public class HookCaller {

    static final Duration MAX_TIMEOUT = Durations.parse(WebhookSpec.MAX_TIMEOUT);

    /**
     * The most bytes of a hook's answer read: only its status decides, and only its first
     * {@value Redaction#MAX_RESPONSE} characters are shown. The rest is never received.
     */
    public static final int MAX_ANSWER_BYTES = 4096;

    private final KubernetesClient client;
    private final EgressPolicy egress;

    /** A caller that takes inline URLs only (no client to read Secrets with), under the default egress policy. */
    public HookCaller() {
        this(null, EgressPolicy.defaults());
    }

    public HookCaller(KubernetesClient client, EgressPolicy egress) {
        this.client = client;
        this.egress = egress;
    }

    /**
     * Calls the hook of a Rollout in {@code namespace}, where the hook is {@code field}
     * ({@code spec.analysis.webhooks[2]}): a refusal names the field.
     */
    public HookAnswer call(String namespace, WebhookSpec hook, String field, String payload) {
        Duration timeout = timeout(hook);
        String where = "webhook " + hook.getName() + " (" + wireName(hook.getType()) + ", " + shown(hook) + ")";
        String url;
        try {
            url = url(namespace, hook);
        } catch (IllegalArgumentException e) {
            return new HookAnswer(-2, where + ": " + e.getMessage(), "");
        }
        String urlField = field + (hook.getUrlSecretRef() == null ? ".url" : ".urlSecretRef");
        return once(egress.forNamespace(namespace), url, urlField, payload, timeout, where);
    }

    /** The hook's timeout, never more than {@link #MAX_TIMEOUT} (the CRD refuses more; an older object may hold it). */
    public static Duration timeout(WebhookSpec hook) {
        Duration timeout = Durations.parse(hook.getTimeout() == null ? "10s" : hook.getTimeout());
        return timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout;
    }

    /** How the hook's URL may be shown: redacted, or the Secret that holds it. */
    public static String shown(WebhookSpec hook) {
        if (hook.getUrlSecretRef() != null) {
            return "URL in Secret " + hook.getUrlSecretRef().getName() + " key " + hook.getUrlSecretRef().getKey();
        }
        return Redaction.url(hook.getUrl());
    }

    private String url(String namespace, WebhookSpec hook) {
        if (hook.getUrlSecretRef() == null) {
            if (hook.getUrl() == null) {
                throw new IllegalArgumentException("neither url nor urlSecretRef is set");
            }
            return hook.getUrl();
        }
        String name = hook.getUrlSecretRef().getName();
        String key = hook.getUrlSecretRef().getKey();
        Secret secret = client == null || namespace == null ? null : client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + name + " (urlSecretRef) not found");
        }
        SecretValues.refusal(secret, "urlSecretRef").ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        String url = SecretValues.strings(secret).get(key);
        if (url == null) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + name + " has no key " + key + " (urlSecretRef)");
        }
        url = url.strip();
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("the URL in Secret " + namespace + "/" + name + " key " + key
                    + " is not an http or https URL");
        }
        return url;
    }

    private HookAnswer once(EgressPolicy tenant, String url, String field, String payload, Duration timeout, String where) {
        try {
            HttpPost request = new HttpPost(URI.create(url));
            request.setEntity(new StringEntity(payload, ContentType.APPLICATION_JSON));
            BoundedExchange.Answer answer = BoundedExchange.send(tenant, request, timeout, MAX_ANSWER_BYTES);
            return new HookAnswer(answer.status(), where + " answered " + answer.status(), Redaction.response(answer.text()));
        } catch (EgressDeniedException e) {
            return new HookAnswer(HookAnswer.DENIED, where + " not called: " + field + ": " + e.getMessage(), "");
        } catch (BoundedExchange.DeadlineExceeded e) {
            return new HookAnswer(-1, where + " timed out after " + timeout.toMillis() + "ms", "");
        } catch (IOException e) {
            // The client's messages name the host or address, never the path or query where a secret URL keeps its token.
            return new HookAnswer(-1, where + " unreachable: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : Redaction.response(e.getMessage())), "");
        } catch (IllegalArgumentException e) {
            return new HookAnswer(-2, where + ": invalid URL", "");
        }
    }

    /** The type as the API spells it: confirm-rollout, pre-rollout, rollout, … */
    public static String wireName(WebhookSpec.Type type) {
        return type.name().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * What a hook answered: its HTTP status (negative when it was not reached: -1 unreachable or
     * timed out, -2 no usable URL, {@value #DENIED} refused by the egress policy, {@value #NOT_ASKED} not
     * asked), a sentence saying so, and
     * what it answered, cut short and without control characters ({@link Redaction#response}).
     * {@link #message} never holds the response: it is what a rollback's cause and a revert
     * commit may quote; {@link #described} adds the response, for conditions and Events.
     */
    public record HookAnswer(int status, String message, String response) {

        /** The status of a hook the egress policy refused: not called, whatever it would have said. */
        public static final int DENIED = -3;

        /** The status of a hook the operator did not call: its namespace's share of outside calls was in use. */
        public static final int NOT_ASKED = -4;

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /**
         * No verdict from the hook: it was not reached, timed out, not called (the egress policy
         * refused it, or its namespace's share of outside calls was in use), a gateway in front of
         * it said so (502, 503, 504), or it asked to be asked later (408, 429). Such an answer
         * says nothing about the canary.
         */
        public boolean inconclusive() {
            return status < 0 || status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
        }

        /**
         * Whether the egress policy refused the hook's URL: a configuration error (reason
         * {@link EgressReasons#EGRESS_DENIED}) that the user or the platform team must fix, no
         * outage; the check is Inconclusive, reported once per release.
         */
        public boolean denied() {
            return status == DENIED;
        }

        /** {@link #WebhookReasons.HOOK_FAILED}, {@link #WebhookReasons.HOOK_UNREACHABLE}, {@link #WebhookReasons.HOOK_BUSY} or {@link EgressReasons#EGRESS_DENIED}, for an answer that is not 2xx. */
        public String reason() {
            if (!inconclusive()) {
                return WebhookReasons.HOOK_FAILED;
            }
            if (denied()) {
                return EgressReasons.EGRESS_DENIED;
            }
            return status == 408 || status == 429 || status == NOT_ASKED ? WebhookReasons.HOOK_BUSY : WebhookReasons.HOOK_UNREACHABLE;
        }

        /** The message and, when the hook said something, what it said. */
        public String described() {
            return response == null || response.isEmpty() ? message : message + ": " + response;
        }
    }
}
