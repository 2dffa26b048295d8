package dev.ramp.git;

import dev.ramp.api.AccessReasons;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.api.Rollout;
import java.util.List;

/**
 * What a GitSource that runs as Ramp's own ServiceAccount may write: namespaced objects of its own
 * namespace other than Ramp's own kinds, nothing else. Checked on the whole commit before anything
 * of it is applied, so a refused commit leaves the cluster as it was.
 * <p>
 * Ramp's kinds are refused because Ramp would write them with its own rights: a commit could then
 * point its GitSource at any ServiceAccount of the namespace, or a sibling GitSource at another
 * repository, escaping RBAC altogether.
 */
public final class OwnNamespaceRule {

    private OwnNamespaceRule() {
    }

    /** Why one object may not be written, and the reason reported. */
    record Refusal(String reason, String why) {
    }

    /** Refuses the commit at its first object that is cluster-scoped, in another namespace or a Ramp object. */
    public static void check(List<DesiredObject> desired, String namespace) throws GitSourceException {
        for (DesiredObject d : desired) {
            Refusal refusal = refusal(d, namespace);
            if (refusal != null) {
                throw GitSourceException.userError(refusal.reason(), d.describe() + " " + refusal.why()
                        + "; without spec.serviceAccountName (and no operator default) a GitSource writes only"
                        + " namespaced objects into its own namespace " + namespace + " and no Ramp objects ("
                        + Rollout.GROUP + "); to write more, name a ServiceAccount whose RBAC allows it");
            }
        }
    }

    /** Why this object may not be written, or null when it may. */
    static Refusal refusal(DesiredObject d, String namespace) {
        if (Rollout.GROUP.equals(d.definition().getGroup())) {
            return new Refusal(AccessReasons.RAMP_OBJECT_REFUSED, "is a Ramp object, which Ramp would write with its"
                    + " own rights");
        }
        if (!d.definition().isNamespaceScoped()) {
            return new Refusal(GitSourceReasons.OUTSIDE_NAMESPACE, "is cluster-scoped");
        }
        if (!namespace.equals(d.namespace())) {
            return new Refusal(GitSourceReasons.OUTSIDE_NAMESPACE, "is in namespace " + d.namespace() + ", not " + namespace);
        }
        return null;
    }
}
