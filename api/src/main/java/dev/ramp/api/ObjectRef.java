package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Names an object, in the referrer's namespace unless namespace is given. */
public class ObjectRef {

    @Required
    @JsonPropertyDescription("Name of the object.")
    private String name;

    @JsonPropertyDescription("Namespace of the object; defaults to the referrer's namespace.")
    private String namespace;

    public ObjectRef() {
    }

    public ObjectRef(String name, String namespace) {
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
}
