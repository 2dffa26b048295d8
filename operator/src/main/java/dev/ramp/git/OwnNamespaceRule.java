package dev.ramp.git;

import java.util.List;

/**
 * What a GitSource that runs as Ramp's own ServiceAccount may write: namespaced objects of its own
 * namespace, nothing else. Checked on the whole commit before anything of it is applied, so a
 * refused commit leaves the cluster as it was.
 */
public final class OwnNamespaceRule {

    /** The reason of a commit refused by this rule. */
    public static final String OUTSIDE_NAMESPACE = "OutsideNamespace";

    private OwnNamespaceRule() {
    }

    /** Refuses the commit at its first object that is cluster-scoped or in another namespace. */
    public static void check(List<DesiredObject> desired, String namespace) throws GitSourceException {
        for (DesiredObject d : desired) {
            String why = refusal(d, namespace);
            if (why != null) {
                throw GitSourceException.userError(OUTSIDE_NAMESPACE, d.describe() + " " + why
                        + "; without spec.serviceAccountName (and no operator default) a GitSource writes only"
                        + " namespaced objects into its own namespace " + namespace);
            }
        }
    }

    /** Why this object may not be written, or null when it may. */
    static String refusal(DesiredObject d, String namespace) {
        if (!d.definition().isNamespaceScoped()) {
            return "is cluster-scoped";
        }
        if (!namespace.equals(d.namespace())) {
            return "is in namespace " + d.namespace() + ", not " + namespace;
        }
        return null;
    }
}
