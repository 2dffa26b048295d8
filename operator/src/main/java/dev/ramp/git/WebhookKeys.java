package dev.ramp.git;

import dev.ramp.kube.SecretValues;
import dev.ramp.api.GitSource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook keys of GitSources ({@code spec.webhookSecretRef}, key {@code secret}), each read
 * from its Secret at most once per {@link #TTL}, so a flood of pushes does not become a flood of
 * API reads. A rotated key is therefore taken up within {@link #TTL}. A missing Secret is
 * remembered as "no key" for as long.
 */
final class WebhookKeys {

    static final Duration TTL = Duration.ofSeconds(30);
    private static final int SWEEP_ABOVE = 512;

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Cached> keys = new ConcurrentHashMap<>();

    private record Cached(byte[] key, Instant until) {
    }

    WebhookKeys(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The source's key, or null when it names none or its Secret holds none. */
    byte[] of(GitSource source) {
        var ref = source.getSpec().getWebhookSecretRef();
        if (ref == null) {
            return null;
        }
        String namespace = source.getMetadata().getNamespace();
        Instant now = clock.instant();
        Cached cached = keys.get(namespace + "/" + ref.getName());
        if (cached == null || now.isAfter(cached.until())) {
            if (keys.size() > SWEEP_ABOVE) {
                keys.values().removeIf(c -> now.isAfter(c.until()));
            }
            cached = new Cached(read(namespace, ref.getName()), now.plus(TTL));
            keys.put(namespace + "/" + ref.getName(), cached);
        }
        return cached.key();
    }

    private byte[] read(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null || SecretValues.refusal(secret, "spec.webhookSecretRef").isPresent()) {
            return null; // answered as a missing key: 401, the same as a wrong signature
        }
        return SecretValues.bytes(secret, "secret").orElse(null);
    }
}
