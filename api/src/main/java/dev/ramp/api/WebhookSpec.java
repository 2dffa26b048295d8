package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** An HTTP hook Ramp calls at one point of a release, at a URL given inline or kept in a Secret. */
@ValidationRule(value = "has(self.url) != has(self.urlSecretRef)",
        message = "a webhook needs exactly one of url and urlSecretRef", reason = "FieldValueInvalid")
public class WebhookSpec {

    /** The longest a hook may take to answer; longer timeouts are refused (and clamped by the operator). */
    public static final String MAX_TIMEOUT = "60s";

    /** When the hook is called and what its answer means. */
    public enum Type {
        /** Before any traffic; the release waits until it answers 2xx. */
        @com.fasterxml.jackson.annotation.JsonProperty("confirm-rollout") ConfirmRollout,
        /** Before any traffic; a failure counts as a failed check. */
        @com.fasterxml.jackson.annotation.JsonProperty("pre-rollout") PreRollout,
        /** Every interval during the analysis, e.g. a load tester. */
        @com.fasterxml.jackson.annotation.JsonProperty("rollout") Rollout,
        /** Before promotion; the release waits in WaitingPromotion until it answers 2xx. */
        @com.fasterxml.jackson.annotation.JsonProperty("confirm-promotion") ConfirmPromotion,
        /** After promotion or rollback, for notification. */
        @com.fasterxml.jackson.annotation.JsonProperty("post-rollout") PostRollout,
        /** Every interval during the analysis; a 2xx rolls the release back at once. */
        @com.fasterxml.jackson.annotation.JsonProperty("rollback") Rollback
    }

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Name of the hook, shown in status and events.")
    private String name;

    @Default("rollout")
    @JsonPropertyDescription("When the hook is called: pre-rollout, rollout, confirm-rollout, confirm-promotion, post-rollout or rollback.")
    private Type type = Type.Rollout;

    @Pattern("^https?://.+")
    @Size(max = 2048)
    @ValidationRule(value = "!self.matches('^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@')",
            message = "url must not carry credentials (user:password@host); keep a secret URL in a Secret and use urlSecretRef")
    @JsonPropertyDescription("The http or https URL Ramp POSTs a JSON payload to. Without credentials in it; a URL that is itself a secret (a chat service's incoming webhook) goes in a Secret, see urlSecretRef.")
    private String url;

    @JsonPropertyDescription("The key of a Secret in the Rollout's namespace that holds the URL, instead of url. Ramp never shows this URL: conditions, Events and logs name the Secret.")
    private SecretKeyRef urlSecretRef;

    @Default("10s")
    @Pattern(AnalysisSpec.DURATION)
    @ValidationRule(value = "duration(self) <= duration('" + MAX_TIMEOUT + "')", message = "timeout must be at most " + MAX_TIMEOUT)
    @JsonPropertyDescription("How long one call may take, e.g. 5s; at most 60s.")
    private String timeout = "10s";

    @JsonPropertyDescription("Passed to the hook in the payload's metadata.")
    private Map<String, String> metadata;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public SecretKeyRef getUrlSecretRef() {
        return urlSecretRef;
    }

    public void setUrlSecretRef(SecretKeyRef urlSecretRef) {
        this.urlSecretRef = urlSecretRef;
    }

    public String getTimeout() {
        return timeout;
    }

    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    public Map<String, String> getMetadata() {
        return metadata;
    }

    public void setMetadata(Map<String, String> metadata) {
        this.metadata = metadata;
    }
}
