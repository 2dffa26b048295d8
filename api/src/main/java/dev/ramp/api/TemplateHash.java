package dev.ramp.api;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Identifies a version of a Deployment by its pod template, as lastAppliedRevision records it.
 * The labels Ramp itself puts on the template ({@link RampLabels#REVISION},
 * {@link RampLabels#CANONICAL_REVISION}, {@link RampLabels#SERVICE}) are left out, so labelling a
 * release's pods with its revision does not make it another revision.
 */
public final class TemplateHash {

    private TemplateHash() {
    }

    public static String of(PodTemplateSpec template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Serialization.asJson(withoutRevisionLabels(template)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PodTemplateSpec withoutRevisionLabels(PodTemplateSpec template) {
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        if (labels == null || !(labels.containsKey(RampLabels.REVISION) || labels.containsKey(RampLabels.CANONICAL_REVISION)
                || labels.containsKey(RampLabels.SERVICE))) {
            return template;
        }
        Map<String, String> kept = new LinkedHashMap<>(labels);
        kept.remove(RampLabels.REVISION);
        kept.remove(RampLabels.CANONICAL_REVISION);
        kept.remove(RampLabels.SERVICE);
        return new PodTemplateSpecBuilder(template).editMetadata().withLabels(kept).endMetadata().build();
    }
}
