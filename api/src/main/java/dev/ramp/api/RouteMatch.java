package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.Map;

/**
 * A request condition of an A/B test, the subset of Istio's HTTPMatchRequest Ramp routes by.
 * All conditions given must hold. Cookies are matched through the cookie header's regex.
 */
public class RouteMatch {

    @Size(max = 16)
    @JsonPropertyDescription("Request headers by lower-case name, e.g. x-canary: {exact: insider} or cookie: {regex: '^(.*?;)?(canary=always)(;.*)?$'}.")
    private Map<String, StringMatch> headers;

    @JsonPropertyDescription("The request's path.")
    private StringMatch uri;

    @JsonPropertyDescription("The request's HTTP method.")
    private StringMatch method;

    @Size(max = 16)
    @JsonPropertyDescription("Query parameters by name.")
    private Map<String, StringMatch> queryParams;

    public Map<String, StringMatch> getHeaders() {
        return headers;
    }

    public void setHeaders(Map<String, StringMatch> headers) {
        this.headers = headers;
    }

    public StringMatch getUri() {
        return uri;
    }

    public void setUri(StringMatch uri) {
        this.uri = uri;
    }

    public StringMatch getMethod() {
        return method;
    }

    public void setMethod(StringMatch method) {
        this.method = method;
    }

    public Map<String, StringMatch> getQueryParams() {
        return queryParams;
    }

    public void setQueryParams(Map<String, StringMatch> queryParams) {
        this.queryParams = queryParams;
    }
}
