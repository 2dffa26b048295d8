package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Map;

/** An HTTP hook Ramp calls at one point of a release. */
public class WebhookSpec {

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

    @Required
    @Pattern("^https?://.+")
    @JsonPropertyDescription("The http or https URL Ramp POSTs a JSON payload to.")
    private String url;

    @Default("10s")
    @Pattern(AnalysisSpec.DURATION)
    @JsonPropertyDescription("How long one call may take, e.g. 5s.")
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
