package dev.ramp.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ramp.api.Rollout;
import dev.ramp.api.WebhookSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The webhooks of a Rollout, by type, called with the release's payload: name, namespace,
 * phase, revision, the hook's type and its metadata. Calls run one after another in the
 * Rollout's reconcile, each bounded by its timeout.
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

    static List<WebhookSpec> of(Rollout rollout, WebhookSpec.Type type) {
        return indexes(rollout, type).stream().map(i -> rollout.getSpec().getAnalysis().getWebhooks().get(i)).toList();
    }

    /** Where the hooks of the type stand in {@code spec.analysis.webhooks}, so that an answer can name the field. */
    private static List<Integer> indexes(Rollout rollout, WebhookSpec.Type type) {
        var analysis = rollout.getSpec().getAnalysis();
        if (analysis == null || analysis.getWebhooks() == null) {
            return List.of();
        }
        List<WebhookSpec> hooks = analysis.getWebhooks();
        return IntStream.range(0, hooks.size()).filter(i -> hooks.get(i).getType() == type).boxed().toList();
    }

    /** Calls every hook of the type; the first that does not answer 2xx, if any. */
    public Optional<HookCaller.HookAnswer> firstRefusal(Rollout rollout, WebhookSpec.Type type) {
        for (int index : indexes(rollout, type)) {
            HookCaller.HookAnswer answer = call(rollout, index);
            if (!answer.ok()) {
                return Optional.of(answer);
            }
        }
        return Optional.empty();
    }

    /** Calls every hook of the type; the first that answers 2xx, if any (a rollback hook saying yes). */
    public Optional<HookCaller.HookAnswer> firstYes(Rollout rollout, WebhookSpec.Type type) {
        for (int index : indexes(rollout, type)) {
            HookCaller.HookAnswer answer = call(rollout, index);
            if (answer.ok()) {
                return Optional.of(answer);
            }
        }
        return Optional.empty();
    }

    private HookCaller.HookAnswer call(Rollout rollout, int index) {
        WebhookSpec hook = rollout.getSpec().getAnalysis().getWebhooks().get(index);
        return caller.call(rollout.getMetadata().getNamespace(), hook, "spec.analysis.webhooks[" + index + "]",
                payload(rollout, hook));
    }

    static String payload(Rollout rollout, WebhookSpec hook) {
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
