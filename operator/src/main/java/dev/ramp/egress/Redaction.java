package dev.ramp.egress;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Ramp may print of a URL or of text a remote sent. Every URL in a condition, Event, log
 * line or error goes through {@link #url} (or {@link #text}, for a sentence that may hold one):
 * credentials in the userinfo and token-like query parameters are replaced by {@code ***}. Text
 * from a hook or a metrics provider goes through {@link #response}: cut to {@value #MAX_RESPONSE}
 * characters first, then control characters removed and URLs redacted, so a remote cannot forge
 * lines, flood status or make Ramp spend its time on a long answer.
 *
 * <p>Every pattern here runs in time linear in its input (possessive quantifiers, a scheme of at
 * most 32 characters, a parameter name that stops at the next separator), since the text may be
 * a hostile remote's.
 */
public final class Redaction {

    /** The most characters of a remote's answer Ramp shows. */
    public static final int MAX_RESPONSE = 256;
    public static final String REDACTED = "***";

    private static final Pattern USERINFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]{0,31}+)://([^/?#@]*+)@");
    private static final Pattern PARAMETER = Pattern.compile("([?&;])([^=&#;?]++)=([^&#;]*+)");
    private static final List<String> SECRET_NAMES = List.of("token", "key", "secret", "pass", "pwd", "sig", "auth",
            "cred", "session", "code");
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,31}+://[^\\s\"'<>()]++");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}\\u2028\\u2029]++");

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
            String scheme = userinfo.group(1).toLowerCase(Locale.ROOT);
            String info = userinfo.group(2);
            String kept = scheme.endsWith("http") || scheme.endsWith("https") ? REDACTED
                    : info.contains(":") ? info.substring(0, info.indexOf(':')) + ":" + REDACTED : info;
            out = userinfo.group(1) + "://" + kept + "@" + out.substring(userinfo.end());
        }
        return PARAMETER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(secretName(m.group(2))
                ? m.group(1) + m.group(2) + "=" + REDACTED : m.group()));
    }

    private static boolean secretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return SECRET_NAMES.stream().anyMatch(lower::contains);
    }

    /** The text with every URL in it redacted as by {@link #url}. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        return URL.matcher(text).replaceAll(m -> Matcher.quoteReplacement(url(m.group())));
    }

    /**
     * At most {@code max} characters of the text, redacted as by {@link #text}, with {@code …}
     * when it was longer. The text is cut before anything else looks at it; a URL the cut goes
     * through is left out whole, since what would redact it (an {@code @}, a parameter's end)
     * may lie past the cut.
     */
    public static String shortened(String text, int max) {
        if (text == null) {
            return null;
        }
        String head = head(text, max);
        String shown = text(head);
        boolean cut = head.length() < text.length() || shown.length() > max;
        return cut ? shown.substring(0, Math.min(shown.length(), max)) + "…" : shown;
    }

    /**
     * A remote's answer fit to show: cut to {@value #MAX_RESPONSE} characters first, then control
     * characters (newlines included) become one space and URLs in it are redacted.
     */
    public static String response(String text) {
        if (text == null) {
            return "";
        }
        String head = head(text, MAX_RESPONSE);
        String shown = text(CONTROL.matcher(head).replaceAll(" ").strip());
        boolean cut = head.length() < text.length() || shown.length() > MAX_RESPONSE;
        return cut ? shown.substring(0, Math.min(shown.length(), MAX_RESPONSE)) + "…" : shown;
    }

    /** The first {@code max} characters, without a URL the cut goes through. */
    private static String head(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int start = max;
        while (start > 0 && !endsUrl(text.charAt(start - 1))) {
            start--;
        }
        String last = text.substring(start, max);
        return last.contains("://") ? text.substring(0, start) : text.substring(0, max);
    }

    /** Whether the character ends a URL as {@link #URL} finds them (exactly the characters it excludes). */
    private static boolean endsUrl(char c) {
        return " \t\n\u000B\f\r\"'<>()".indexOf(c) >= 0;
    }
}
