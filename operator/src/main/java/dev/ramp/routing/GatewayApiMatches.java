package dev.ramp.routing;

import dev.ramp.api.RouteMatch;
import dev.ramp.api.StringMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Translates a Rollout's A/B match conditions into Gateway API matches, and says which cannot be:
 * headers and query parameters match exactly or by regular expression only, a method only exactly
 * (one of HTTP's), and a GRPCRoute matches headers only. Every field the CRDs default is written
 * out (a path of {@code PathPrefix /}, type {@code Exact}), so that the route Ramp compares with
 * the live one is the one the API server stores. A cookie is matched as Istio's is: a regular
 * expression on the {@code cookie} header.
 */
final class GatewayApiMatches {

    static final String EXACT = "Exact";
    static final String REGEX = "RegularExpression";
    static final String PATH_PREFIX = "PathPrefix";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
            "PATCH");

    private GatewayApiMatches() {
    }

    /** The match every request meets, as the HTTPRoute CRD defaults a rule's matches. */
    static HTTPRouteMatch everything() {
        HTTPRouteMatch match = new HTTPRouteMatch();
        match.setPath(new HTTPPathMatch(PATH_PREFIX, "/"));
        return match;
    }

    static HTTPRouteMatch http(RouteMatch in) {
        HTTPRouteMatch match = new HTTPRouteMatch();
        StringMatch uri = in.getUri();
        match.setPath(uri == null ? new HTTPPathMatch(PATH_PREFIX, "/")
                : uri.getExact() != null ? new HTTPPathMatch(EXACT, uri.getExact())
                : uri.getPrefix() != null ? new HTTPPathMatch(PATH_PREFIX, uri.getPrefix()) : new HTTPPathMatch(REGEX, uri.getRegex()));
        List<HTTPHeaderMatch> headers = new ArrayList<>();
        sorted(in.getHeaders()).forEach((name, value) -> headers.add(new HTTPHeaderMatch(name, type(value), text(value))));
        match.setHeaders(headers);
        List<HTTPQueryParamMatch> query = new ArrayList<>();
        sorted(in.getQueryParams()).forEach((name, value) -> query.add(new HTTPQueryParamMatch(name, type(value), text(value))));
        match.setQueryParams(query);
        if (in.getMethod() != null) {
            match.setMethod(in.getMethod().getExact());
        }
        return match;
    }

    static GRPCRouteMatch grpc(RouteMatch in) {
        GRPCRouteMatch match = new GRPCRouteMatch();
        List<GRPCHeaderMatch> headers = new ArrayList<>();
        sorted(in.getHeaders()).forEach((name, value) -> headers.add(new GRPCHeaderMatch(name, type(value), text(value))));
        match.setHeaders(headers);
        return match;
    }

    /** Why the matches cannot be written as Gateway API matches, one sentence per field; empty when they can. */
    static List<String> unsupported(List<RouteMatch> matches, boolean grpc) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; matches != null && i < matches.size(); i++) {
            RouteMatch match = matches.get(i);
            String field = "spec.analysis.match[" + i + "]";
            for (var header : sorted(match.getHeaders()).entrySet()) {
                if (header.getValue() != null && header.getValue().getPrefix() != null) {
                    problems.add(field + ".headers." + header.getKey() + ": the Gateway API matches a header exactly or by"
                            + " regex, not by prefix");
                }
            }
            if (grpc && (match.getUri() != null || match.getMethod() != null || match.getQueryParams() != null
                    && !match.getQueryParams().isEmpty())) {
                problems.add(field + ": a GRPCRoute matches headers only, not uri, method or queryParams (spec.service.protocol: GRPC)");
                continue;
            }
            for (var param : sorted(match.getQueryParams()).entrySet()) {
                if (param.getValue() != null && param.getValue().getPrefix() != null) {
                    problems.add(field + ".queryParams." + param.getKey() + ": the Gateway API matches a query parameter exactly"
                            + " or by regex, not by prefix");
                }
            }
            StringMatch method = match.getMethod();
            if (method != null && (method.getExact() == null || !METHODS.contains(method.getExact()))) {
                problems.add(field + ".method: the Gateway API matches a method exactly, one of " + String.join(", ",
                        new TreeSet<>(METHODS)));
            }
        }
        return problems;
    }

    private static Map<String, StringMatch> sorted(Map<String, StringMatch> in) {
        return in == null ? Map.of() : new TreeMap<>(in);
    }

    private static String type(StringMatch match) {
        return match.getRegex() != null ? REGEX : EXACT;
    }

    private static String text(StringMatch match) {
        return match.getRegex() != null ? match.getRegex() : match.getExact() != null ? match.getExact() : match.getPrefix();
    }
}
