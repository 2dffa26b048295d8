package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.RampLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * Which GitSource owns an object: the one whose value its {@link RampLabels#GITSOURCE} label
 * carries. Prune and self-heal act only on objects their GitSource owns, so a repository cannot
 * delete or rewrite what another GitSource (or a person, who removed the label) has taken over.
 */
public final class Ownership {

    private Ownership() {
    }

    /** The label value that marks objects of this GitSource. */
    public static String of(GitSource source) {
        return RampLabels.gitSource(source.getMetadata().getNamespace(), source.getMetadata().getName());
    }

    /** Why {@code owner} does not own the object, or null when it does. */
    public static String notOwned(HasMetadata live, String owner) {
        Map<String, String> labels = live.getMetadata().getLabels();
        String label = labels == null ? null : labels.get(RampLabels.GITSOURCE);
        if (label == null) {
            return "it has no " + RampLabels.GITSOURCE + " label";
        }
        if (!label.equals(owner)) {
            return "it belongs to GitSource " + label;
        }
        return null;
    }
}
