package dev.ramp.kube;

import java.util.Optional;

/**
 * Whether one Ramp object may name an object in another namespace (a Rollout's
 * {@code templateRef.namespace}). By default it may not, as Flux's {@code --no-cross-namespace-refs}:
 * a team must not borrow another namespace's MetricTemplate and, with it, that namespace's
 * provider credentials. The operator setting {@code ramp.allow-cross-namespace-refs} lifts this.
 */
public record References(boolean crossNamespaceAllowed) {

    /** The default: references stay in the referring object's namespace. */
    public static final References SAME_NAMESPACE = new References(false);

    /**
     * Why the object at {@code field} of an object in {@code from} may not name {@code kind}
     * {@code namespace}/{@code name}, or empty when it may.
     */
    public Optional<String> refusal(String field, String from, String kind, String namespace, String name) {
        if (crossNamespaceAllowed || namespace == null || namespace.equals(from)) {
            return Optional.empty();
        }
        return Optional.of(field + " names " + kind + " " + namespace + "/" + name + " in another namespace than "
                + from + ", and the operator does not allow cross-namespace references (ramp.allow-cross-namespace-refs):"
                + " use a " + kind + " in " + from);
    }
}
