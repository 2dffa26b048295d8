package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Names the autoscaler of a Rollout's target: an {@code autoscaling/v2} HorizontalPodAutoscaler
 * or a KEDA {@code keda.sh/v1alpha1} ScaledObject, in the Rollout's namespace. Ramp copies it as
 * {@code <name>-primary}, scaling the primary; see docs/autoscaling.md.
 */
@ValidationRule(value = "(self.apiVersion == '" + AutoscalerRef.HPA_API_VERSION + "' && self.kind == '" + AutoscalerRef.HPA_KIND
        + "') || (self.apiVersion == '" + AutoscalerRef.KEDA_API_VERSION + "' && self.kind == '" + AutoscalerRef.KEDA_KIND + "')",
        message = "autoscalerRef must name an autoscaling/v2 HorizontalPodAutoscaler or a keda.sh/v1alpha1 ScaledObject",
        reason = "FieldValueInvalid")
public class AutoscalerRef {

    public static final String HPA_API_VERSION = "autoscaling/v2";
    public static final String HPA_KIND = "HorizontalPodAutoscaler";
    public static final String KEDA_API_VERSION = "keda.sh/v1alpha1";
    public static final String KEDA_KIND = "ScaledObject";

    @Required
    @JsonPropertyDescription("autoscaling/v2 (HorizontalPodAutoscaler) or keda.sh/v1alpha1 (ScaledObject).")
    private String apiVersion;

    @Required
    @JsonPropertyDescription("HorizontalPodAutoscaler or ScaledObject.")
    private String kind;

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 253)
    @JsonPropertyDescription("Name of the target's autoscaler, in the Rollout's namespace; its scaleTargetRef must be the target. Ramp's copy for the primary is <name>-primary.")
    private String name;

    public AutoscalerRef() {
    }

    public AutoscalerRef(String apiVersion, String kind, String name) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.name = name;
    }

    /** Whether this names a HorizontalPodAutoscaler (else a KEDA ScaledObject). */
    @JsonIgnore
    public boolean isHpa() {
        return HPA_KIND.equals(kind);
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
