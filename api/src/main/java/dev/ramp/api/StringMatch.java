package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** How a request attribute must match, as in Istio's StringMatch: exactly one of the three. */
@ValidationRule(value = "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.regex) ? 1 : 0) == 1",
        message = "set exactly one of exact, prefix or regex")
public class StringMatch {

    @JsonPropertyDescription("The value equals this.")
    private String exact;

    @JsonPropertyDescription("The value starts with this.")
    private String prefix;

    @JsonPropertyDescription("The value matches this RE2 regular expression.")
    private String regex;

    public String getExact() {
        return exact;
    }

    public void setExact(String exact) {
        this.exact = exact;
    }

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public String getRegex() {
        return regex;
    }

    public void setRegex(String regex) {
        this.regex = regex;
    }
}
