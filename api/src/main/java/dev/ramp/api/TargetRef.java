package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Names the workload a Rollout delivers. Only apps/v1 Deployments are supported. */
public class TargetRef {

    @Default("apps/v1")
    @ValidationRule(value = "self == 'apps/v1'", message = "targetRef.apiVersion must be apps/v1")
    @JsonPropertyDescription("API version of the target; only apps/v1 is supported.")
    private String apiVersion = "apps/v1";

    @Default("Deployment")
    @ValidationRule(value = "self == 'Deployment'", message = "targetRef.kind must be Deployment")
    @JsonPropertyDescription("Kind of the target; only Deployment is supported.")
    private String kind = "Deployment";

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 253)
    @JsonPropertyDescription("Name of the target Deployment, in the Rollout's namespace. Names the primary <name>-primary, shortened with a hash to 63 characters if longer.")
    private String name;

    public TargetRef() {
    }

    public TargetRef(String name) {
        this.name = name;
    }

    public String getApiVersion() {
        return apiVersion;
    }

    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
