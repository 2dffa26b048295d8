package dev.ramp.routing;

import dev.ramp.api.RouteMatch;
import dev.ramp.api.StringMatch;
import java.time.Duration;
import java.util.Map;

/**
 * The cookie that keeps a user on the canary for the rest of a release
 * ({@code analysis.sessionAffinity}): set on the canary's responses of the weighted split, and
 * matched by a rule before it that sends its holders to the canary. Its value is the release's
 * revision, so a cookie of an earlier release matches nothing.
 */
public record SessionCookie(String name, String value, Duration maxAge) {

    /** The response header that sets it. */
    public static final String SET_COOKIE = "Set-Cookie";

    /** The {@code Set-Cookie} header's value the canary's responses carry. */
    public String setCookie() {
        return name + "=" + value + "; Max-Age=" + maxAge.toSeconds() + "; Path=/";
    }

    /**
     * Requests whose {@code cookie} header holds this cookie (among others, in any place), its
     * value bare as browsers send it or quoted as RFC 2965 clients do (Java's
     * {@code java.net.CookieManager} among them, for a cookie with a Max-Age).
     */
    public RouteMatch match() {
        StringMatch cookie = new StringMatch();
        // The name is a token ([A-Za-z0-9_-]), the revision a label value: only its dots need escaping.
        cookie.setRegex("^(.*?;\\s*)?(" + name + "=\"?" + value.replace(".", "\\.") + "\"?)(;.*)?$");
        RouteMatch match = new RouteMatch();
        match.setHeaders(Map.of("cookie", cookie));
        return match;
    }
}
