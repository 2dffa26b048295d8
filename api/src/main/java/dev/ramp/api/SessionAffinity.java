package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Canary: a user the weights sent to the canary stays on it for the rest of the release. Ramp sets
 * a cookie on the canary's responses, its value the release's revision, and routes requests that
 * carry it to the canary; a rollback or a promotion drops the rule, and the next release's
 * revision makes old cookies match nothing.
 */
public class SessionAffinity {

    /** How long the cookie lasts when maxAge is not set. */
    public static final String DEFAULT_MAX_AGE = "24h";

    @Required
    @Pattern("^[A-Za-z0-9_-]{1,64}$")
    @JsonPropertyDescription("The cookie's name: letters, digits, '-' and '_', at most 64. It must not be a cookie the application sets itself.")
    private String cookieName;

    @Default(DEFAULT_MAX_AGE)
    @Pattern(AnalysisSpec.DURATION)
    @ValidationRule(value = "duration(self) >= duration('1s')", message = "analysis.sessionAffinity.maxAge must be at least 1s")
    @JsonPropertyDescription("How long a browser keeps the cookie (its Max-Age), a duration such as 1h; 24h by default. A cookie of a release that ended matches nothing.")
    private String maxAge = DEFAULT_MAX_AGE;

    public SessionAffinity() {
    }

    public SessionAffinity(String cookieName, String maxAge) {
        this.cookieName = cookieName;
        this.maxAge = maxAge;
    }

    public String getCookieName() {
        return cookieName;
    }

    public void setCookieName(String cookieName) {
        this.cookieName = cookieName;
    }

    public String getMaxAge() {
        return maxAge;
    }

    public void setMaxAge(String maxAge) {
        this.maxAge = maxAge;
    }
}
