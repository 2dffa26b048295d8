package dev.ramp.routing;

import dev.ramp.api.RouteMatch;
import java.util.List;

/**
 * Where a Rollout's traffic goes at one step of a release: the weighted split between primary
 * and canary, the requests that always go to the canary (an A/B test), and whether the
 * primary's traffic is also mirrored to the canary (its responses discarded).
 */
public record Routing(Weights weights, List<RouteMatch> canaryMatch, boolean mirror) {

    public static final Routing ALL_PRIMARY = of(Weights.ALL_PRIMARY);

    public Routing {
        canaryMatch = canaryMatch == null ? List.of() : List.copyOf(canaryMatch);
    }

    public static Routing of(Weights weights) {
        return new Routing(weights, List.of(), false);
    }

    /** Only requests matching {@code match} reach the canary. */
    public static Routing abTest(List<RouteMatch> match) {
        return new Routing(Weights.ALL_PRIMARY, match, false);
    }

    /** No live traffic on the canary; with {@code mirror}, a copy of it. */
    public static Routing dark(boolean mirror) {
        return new Routing(Weights.ALL_PRIMARY, List.of(), mirror);
    }
}
