package dev.ramp.egress;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Ramp may print of a URL or of text a remote sent. Every URL in a condition, Event, log
 * line or error goes through {@link #url} (or {@link #text}, for a sentence that may hold one):
 * credentials in the userinfo and token-like query parameters are replaced by {@code ***}. Text
 * from a hook or a metrics provider goes through {@link #response}: control characters removed,
 * cut to {@value #MAX_RESPONSE} characters, so a remote cannot forge lines or flood status.
 */
public final class Redaction {

    /** The most characters of a remote's answer Ramp shows. */
    public static final int MAX_RESPONSE = 256;
    public static final String REDACTED = "***";

    private static final Pattern USERINFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#@]*)@");
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "([?&;])([^=&#;]*(?:token|key|secret|pass|pwd|sig|auth|cred|session|code)[^=&#;]*)=([^&#;]*)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>()]+");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}\\u2028\\u2029]+");

    private Redaction() {
    }

    /**
     * The URL with its credentials replaced: the whole userinfo of an http(s) URL (a token often
     * stands alone there), the password of any other (an ssh user name stays), and the values of
     * query parameters whose names look like credentials (token, key, secret, sig, auth, …).
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String out = url;
        Matcher userinfo = USERINFO.matcher(out);
        if (userinfo.find()) {
            String scheme = userinfo.group(1).toLowerCase(java.util.Locale.ROOT);
            String info = userinfo.group(2);
            String kept = scheme.startsWith("http") ? REDACTED
                    : info.contains(":") ? info.substring(0, info.indexOf(':')) + ":" + REDACTED : info;
            out = userinfo.group(1) + "://" + kept + "@" + out.substring(userinfo.end());
        }
        return SECRET_PARAMETER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + "=" + REDACTED));
    }

    /** The text with every URL in it redacted as by {@link #url}. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        return URL.matcher(text).replaceAll(m -> Matcher.quoteReplacement(url(m.group())));
    }

    /**
     * A remote's answer fit to show: control characters (newlines included) become one space,
     * URLs in it are redacted, and it is cut to {@value #MAX_RESPONSE} characters.
     */
    public static String response(String text) {
        if (text == null) {
            return "";
        }
        String flat = text(CONTROL.matcher(text).replaceAll(" ").strip());
        return flat.length() > MAX_RESPONSE ? flat.substring(0, MAX_RESPONSE) + "…" : flat;
    }
}
