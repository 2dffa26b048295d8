package dev.ramp.routing;

import dev.ramp.api.RouteMatch;
import dev.ramp.api.StringMatch;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchExact;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchRegex;
import java.util.LinkedHashMap;
import java.util.Map;

/** Translates a Rollout's A/B match conditions into Istio's HTTPMatchRequest. */
final class IstioMatches {

    private IstioMatches() {
    }

    static HTTPMatchRequest of(RouteMatch match) {
        HTTPMatchRequest request = new HTTPMatchRequest();
        request.setHeaders(map(match.getHeaders()));
        request.setQueryParams(map(match.getQueryParams()));
        request.setUri(of(match.getUri()));
        request.setMethod(of(match.getMethod()));
        return request;
    }

    private static Map<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> map(Map<String, StringMatch> in) {
        if (in == null || in.isEmpty()) {
            return null;
        }
        Map<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, of(v)));
        return out;
    }

    static io.fabric8.istio.api.api.networking.v1alpha3.StringMatch of(StringMatch match) {
        if (match == null) {
            return null;
        }
        if (match.getExact() != null) {
            return new io.fabric8.istio.api.api.networking.v1alpha3.StringMatch(new StringMatchExact(match.getExact()));
        }
        if (match.getPrefix() != null) {
            return new io.fabric8.istio.api.api.networking.v1alpha3.StringMatch(new StringMatchPrefix(match.getPrefix()));
        }
        return new io.fabric8.istio.api.api.networking.v1alpha3.StringMatch(new StringMatchRegex(match.getRegex()));
    }
}
