package dev.ramp.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives names and label values from a user's name plus a suffix, within Kubernetes' limit of
 * 63 characters for DNS labels and label values.
 *
 * <p>A derived string that fits is returned as is ({@code podinfo-primary}), so the objects of
 * existing Rollouts keep their names. One that would not fit keeps a prefix of the base, a hash
 * of the whole base and the suffix: {@code <prefix>-<8 hex of sha256(base)>-primary}. The hash
 * keeps two long bases that share a prefix apart, and makes the result the same on every
 * reconcile; changing this rule would rename live objects.
 */
public final class KubeNames {

    /** The longest DNS-1123/1035 label, and the longest label value. */
    public static final int MAX_LENGTH = 63;

    private static final int HASH_LENGTH = 8;

    private KubeNames() {
    }

    /**
     * {@code base + suffix}, shortened to at most 63 characters if needed. The result is a valid
     * DNS label (or label value) whenever the base is one and the suffix starts with '-' and
     * ends with a letter or digit.
     */
    public static String withSuffix(String base, String suffix) {
        if (base.isEmpty()) {
            // An empty label value is legal in a selector; "-primary" is not.
            return suffix.substring(1);
        }
        if (base.length() + suffix.length() <= MAX_LENGTH) {
            return base + suffix;
        }
        int keep = MAX_LENGTH - suffix.length() - HASH_LENGTH - 1;
        if (keep < 1) {
            throw new IllegalArgumentException("suffix too long: " + suffix);
        }
        return trimEnd(base.substring(0, keep)) + "-" + hash(base) + suffix;
    }

    // A cut can end on '-', '.' or '_', which a name or label value may not end with; the first
    // character of a valid base is alphanumeric, so something always remains.
    private static String trimEnd(String prefix) {
        int end = prefix.length();
        while (end > 1 && !isAlphanumeric(prefix.charAt(end - 1))) {
            end--;
        }
        return prefix.substring(0, end);
    }

    private static boolean isAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static String hash(String base) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(base.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, HASH_LENGTH / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
