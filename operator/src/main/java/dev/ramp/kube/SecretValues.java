package dev.ramp.kube;

import dev.ramp.api.AccessReasons;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The values of a Secret, decoded: {@code data} (base64) and {@code stringData} (as written), the latter winning. */
public final class SecretValues {

    private SecretValues() {
    }

    /**
     * Why Ramp may not use this Secret, named by {@code field} of a Ramp object, or empty when it
     * may. A ServiceAccount token ({@value AccessReasons#SERVICE_ACCOUNT_TOKEN_TYPE}) is refused:
     * whoever may name a Secret could otherwise have Ramp send an account's token to a server of
     * their choosing without being able to read it themselves.
     */
    public static Optional<String> refusal(Secret secret, String field) {
        if (!AccessReasons.SERVICE_ACCOUNT_TOKEN_TYPE.equals(secret.getType())) {
            return Optional.empty();
        }
        return Optional.of("Secret " + secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName()
                + " (" + field + ") is a ServiceAccount token (type " + AccessReasons.SERVICE_ACCOUNT_TOKEN_TYPE
                + "): Ramp never reads or sends one; put the credentials in a Secret of their own");
    }

    /** Every key's value as UTF-8 text. */
    public static Map<String, String> strings(Secret secret) {
        Map<String, String> values = new HashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        return values;
    }

    /** One key's value as bytes (a key that need not be text, e.g. an HMAC key); empty when absent. */
    public static Optional<byte[]> bytes(Secret secret, String key) {
        if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
            return Optional.of(secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8));
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        return Optional.ofNullable(encoded).map(Base64.getDecoder()::decode);
    }
}
