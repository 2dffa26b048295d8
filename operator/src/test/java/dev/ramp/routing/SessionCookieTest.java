package dev.ramp.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the session cookie's rule matches: the cookie header of the clients that got the cookie, and nothing else. */
class SessionCookieTest {

    private final SessionCookie cookie = new SessionCookie("ramp-canary", "7d9f8c6b5", Duration.ofHours(1));
    private final Pattern rule = Pattern.compile(cookie.match().getHeaders().get("cookie").getRegex());

    @Test
    void theSetCookieHeaderCarriesTheRevisionAndLifetime() {
        assertThat(cookie.setCookie()).isEqualTo("ramp-canary=7d9f8c6b5; Max-Age=3600; Path=/");
    }

    @Test
    void aBrowsersCookieHeaderMatchesWhereverTheCookieStands() {
        assertThat(rule.matcher("ramp-canary=7d9f8c6b5").matches()).isTrue();
        assertThat(rule.matcher("session=abc; ramp-canary=7d9f8c6b5; theme=dark").matches()).isTrue();
        assertThat(rule.matcher("session=abc;ramp-canary=7d9f8c6b5").matches()).isTrue();
    }

    @Test
    void whatJavasCookieManagerSendsForTheSetCookieMatches() throws Exception {
        CookieManager jar = new CookieManager();
        URI uri = URI.create("http://10.96.41.97/");
        jar.put(uri, Map.of("Set-Cookie", List.of(cookie.setCookie())));
        List<String> sent = jar.get(uri, Map.of()).get("Cookie");

        // RFC 2965 style, quoted: $Version="1", ramp-canary="7d9f8c6b5";$Path="/";...
        assertThat(sent).anySatisfy(value -> assertThat(value).contains("\""));
        assertThat(rule.matcher(String.join("; ", sent)).matches()).isTrue();
    }

    @Test
    void anotherRevisionOrAnotherCookieDoesNotMatch() {
        assertThat(rule.matcher("ramp-canary=0000000000").matches()).isFalse();
        assertThat(rule.matcher("ramp-canary=7d9f8c6b5x").matches()).isFalse();
        assertThat(rule.matcher("xramp-canary=7d9f8c6b5").matches()).isFalse();
        assertThat(rule.matcher("session=ramp-canary=7d9f8c6b5").matches()).isFalse();
        assertThat(rule.matcher("").matches()).isFalse();
    }
}
