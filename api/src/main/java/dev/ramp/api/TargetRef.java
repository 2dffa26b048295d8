package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Names the workload a Rollout delivers: an apps/v1 Deployment (run as a canary beside its primary)
 * or StatefulSet (released in place by its partition, docs/statefulsets.md).
 */
public class TargetRef {

    public static final String DEPLOYMENT = "Deployment";
    public static final String STATEFUL_SET = "StatefulSet";

    @Default("apps/v1")
    @ValidationRule(value = "self == 'apps/v1'", message = "targetRef.apiVersion must be apps/v1")
    @JsonPropertyDescription("API version of the target; only apps/v1 is supported.")
    private String apiVersion = "apps/v1";

    @Default("Deployment")
    @ValidationRule(value = "self == 'Deployment' || self == 'StatefulSet'", message = "targetRef.kind must be Deployment or StatefulSet")
    @JsonPropertyDescription("Kind of the target: Deployment, or StatefulSet (released by its rolling update's partition; behind a router, Ramp routes between its revisions).")
    private String kind = "Deployment";

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 253)
    @JsonPropertyDescription("Name of the target, in the Rollout's namespace. For a Deployment, names the primary <name>-primary, shortened with a hash to 63 characters if longer.")
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

    /** Whether the target is a StatefulSet, released in place by its partition rather than beside a primary. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isStatefulSet() {
        return STATEFUL_SET.equals(kind);
    }
}
