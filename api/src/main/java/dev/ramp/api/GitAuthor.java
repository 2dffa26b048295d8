package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Git identity. */
public class GitAuthor {

    @Required
    @JsonPropertyDescription("Author name.")
    private String name;

    @Required
    @Pattern("^[^@\\s]+@[^@\\s]+$")
    @JsonPropertyDescription("Author e-mail address.")
    private String email;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getEmail() {
        return email;
    }

    public void setEmail(String email) {
        this.email = email;
    }
}
