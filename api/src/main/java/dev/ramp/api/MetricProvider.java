package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A metrics backend. Only Prometheus is supported. */
public class MetricProvider {

    /** Kinds of metrics backend. */
    public enum Type {
        @com.fasterxml.jackson.annotation.JsonProperty("prometheus") Prometheus
    }

    @Default("prometheus")
    @JsonPropertyDescription("The backend; only prometheus is supported.")
    private Type type = Type.Prometheus;

    @Pattern("^https?://.+")
    @Size(max = 2048)
    @ValidationRule(value = "!self.matches('^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@')",
            message = "address must not carry credentials (user:password@host); put them in the Secret named by secretRef")
    @JsonPropertyDescription("Base URL of the backend's HTTP API, without credentials; defaults to the operator's ramp.prometheus.address.")
    private String address;

    @JsonPropertyDescription("Secret with username and password (basic auth) or token (bearer) for the backend, in the template's namespace.")
    private LocalObjectRef secretRef;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public LocalObjectRef getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(LocalObjectRef secretRef) {
        this.secretRef = secretRef;
    }
}
