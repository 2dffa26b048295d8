package dev.ramp.git;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a push webhook came from someone holding the GitSource's webhook key: GitHub's
 * {@code X-Hub-Signature-256} (an HMAC-SHA256 of the body) or GitLab's {@code X-Gitlab-Token}
 * (the key itself). Comparisons take constant time.
 */
public final class WebhookSignature {

    private WebhookSignature() {
    }

    public static String sign(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    public static boolean verifies(byte[] key, byte[] body, String githubSignature, String gitlabToken) {
        if (key == null || key.length == 0) {
            return false;
        }
        if (githubSignature != null) {
            return MessageDigest.isEqual(sign(key, body).getBytes(StandardCharsets.US_ASCII),
                    githubSignature.trim().getBytes(StandardCharsets.US_ASCII));
        }
        if (gitlabToken != null) {
            // Digests of equal length, so that not even the key's length shows in the time taken.
            return MessageDigest.isEqual(sha256(key), sha256(gitlabToken.getBytes(StandardCharsets.UTF_8)));
        }
        return false;
    }
}
