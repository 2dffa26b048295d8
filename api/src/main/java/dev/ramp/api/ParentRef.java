package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A Gateway (gateway.networking.k8s.io) the Rollout's route attaches to, with provider
 * GatewayAPI: the route's {@code parentRefs}, always of kind Gateway.
 */
public class ParentRef {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @Size(max = 253)
    @JsonPropertyDescription("Name of the Gateway.")
    private String name;

    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    @JsonPropertyDescription("Namespace of the Gateway; defaults to the Rollout's. Another namespace's Gateway needs an entry of the operator's routing.allowedGateways.")
    private String namespace;

    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @Size(max = 253)
    @JsonPropertyDescription("Name of the Gateway's listener to attach to; defaults to every listener that admits the route.")
    private String sectionName;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port of the Gateway's listener to attach to; defaults to every port.")
    private Integer port;

    public ParentRef() {
    }

    public ParentRef(String name, String namespace) {
        this.name = name;
        this.namespace = namespace;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getSectionName() {
        return sectionName;
    }

    public void setSectionName(String sectionName) {
        this.sectionName = sectionName;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }
}
