package dev.ramp.cli.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;

/** The machine-readable outputs of {@code -o}: the same documents kubectl would print. */
public enum OutputFormat {
    json {
        @Override
        String render(Object document) throws JsonProcessingException {
            return Serialization.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(document);
        }
    },
    yaml {
        @Override
        String render(Object document) {
            String yaml = Serialization.asYaml(document);
            return yaml.startsWith("---\n") ? yaml.substring(4) : yaml;
        }
    };

    abstract String render(Object document) throws JsonProcessingException;

    public void print(Object document, PrintWriter out) {
        try {
            String text = render(document);
            out.print(text.endsWith("\n") ? text : text + "\n");
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + name() + ": " + e.getMessage(), e);
        }
    }
}
