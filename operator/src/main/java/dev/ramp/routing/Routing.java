package dev.ramp.routing;

import dev.ramp.api.RouteMatch;
import java.util.List;
import java.util.Optional;

/**
 * Where a Rollout's traffic goes at one step of a release: the weighted split between primary,
 * canary and baseline, the requests that always go to the canary (an A/B test, or the holders of the
 * session cookie), whether the primary's traffic is also mirrored to the canary (its responses
 * discarded), the session cookie the canary's responses of the split set, if any, and whether a
 * baseline runs in this release ({@code baseline}: its Service is generated and the route names it,
 * with its weight, even 0 before the first step).
 */
public record Routing(Weights weights, List<RouteMatch> canaryMatch, boolean mirror, Optional<SessionCookie> sessionCookie,
        boolean baseline) {

    public static final Routing ALL_PRIMARY = of(Weights.ALL_PRIMARY);

    public Routing {
        canaryMatch = canaryMatch == null ? List.of() : List.copyOf(canaryMatch);
        sessionCookie = sessionCookie == null ? Optional.empty() : sessionCookie;
    }

    public static Routing of(Weights weights) {
        return new Routing(weights, List.of(), false, Optional.empty(), false);
    }

    /** Only requests matching {@code match} reach the canary. */
    public static Routing abTest(List<RouteMatch> match) {
        return new Routing(Weights.ALL_PRIMARY, match, false, Optional.empty(), false);
    }

    /** No live traffic on the canary; with {@code mirror}, a copy of it. */
    public static Routing dark(boolean mirror) {
        return new Routing(Weights.ALL_PRIMARY, List.of(), mirror, Optional.empty(), false);
    }

    /** This split, with the canary's responses setting {@code cookie} and its holders sent to the canary. */
    public Routing sticky(SessionCookie cookie) {
        return new Routing(weights, List.of(cookie.match()), mirror, Optional.of(cookie), baseline);
    }

    /** This split, in a release with a baseline: its Service is generated and the route names it. */
    public Routing withBaseline() {
        return new Routing(weights, canaryMatch, mirror, sessionCookie, true);
    }

    /** Whether the route names the baseline's Service: a baseline runs, or still has a share. */
    public boolean routesBaseline() {
        return baseline || weights.baseline() > 0;
    }
}
