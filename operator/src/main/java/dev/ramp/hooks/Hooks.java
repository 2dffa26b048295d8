package dev.ramp.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ramp.api.Rollout;
import dev.ramp.api.WebhookSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhooks of a Rollout, by type, called with the release's payload: name, namespace,
 * phase, revision, the hook's type and its metadata. Each call is one attempt bounded by its
 * timeout; which hooks are asked when, and on which threads, the caller decides.
 */
public class Hooks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HookCaller caller;

    public Hooks(HookCaller caller) {
        this.caller = caller;
    }

    public static boolean any(Rollout rollout, WebhookSpec.Type type) {
        return !of(rollout, type).isEmpty();
    }

    /** The hooks of the type, in the order the spec lists them. */
    public static List<WebhookSpec> of(Rollout rollout, WebhookSpec.Type type) {
        var analysis = rollout.getSpec().getAnalysis();
        if (analysis == null || analysis.getWebhooks() == null) {
            return List.of();
        }
        return analysis.getWebhooks().stream().filter(hook -> hook.getType() == type).toList();
    }

    /**
     * Calls one hook of {@code rollout} with {@code payload}, once, bounded by its timeout; an
     * answer that refuses the hook's URL names its field ({@code spec.analysis.webhooks[2].url}).
     */
    public HookCaller.HookAnswer call(Rollout rollout, WebhookSpec hook, String payload) {
        return caller.call(rollout.getMetadata().getNamespace(), hook, field(rollout, hook), payload);
    }

    /** Where {@code hook} stands in the Rollout's spec: the same object, not an equal one. */
    static String field(Rollout rollout, WebhookSpec hook) {
        List<WebhookSpec> hooks = rollout.getSpec().getAnalysis().getWebhooks();
        for (int i = 0; i < hooks.size(); i++) {
            if (hooks.get(i) == hook) {
                return "spec.analysis.webhooks[" + i + "]";
            }
        }
        return "spec.analysis.webhooks[" + hook.getName() + "]";
    }

    /** The payload of a call, as the Rollout's status says now: built before the call leaves the reconcile. */
    public static String payload(Rollout rollout, WebhookSpec hook) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("name", rollout.getMetadata().getName());
        payload.put("namespace", rollout.getMetadata().getNamespace());
        payload.put("phase", rollout.getStatus() == null || rollout.getStatus().getPhase() == null ? null
                : rollout.getStatus().getPhase().name());
        payload.put("revision", rollout.getStatus() == null ? null : rollout.getStatus().getLastAppliedRevision());
        payload.put("type", HookCaller.wireName(hook.getType()));
        payload.put("metadata", hook.getMetadata() == null ? Map.of() : hook.getMetadata());
        try {
            return JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
