package dev.ramp.api;

/**
 * The labels and annotations Ramp reads and writes on objects it does not own, in one place for
 * every package: the GitSource that owns an object and the commit it applied it from, and the
 * revision the pods of a release carry (Ramp's own label, and Istio's canonical revision, which the mesh reports as
 * {@code destination_canonical_revision}).
 */
public final class RampLabels {

    /** The Git commit an object was applied from, set by a GitSource on everything it applies. */
    public static final String COMMIT_ANNOTATION = "ramp.dev/commit";
    /**
     * The GitSource that applied an object, as {@link #gitSource}; prune and self-heal touch only
     * objects carrying their own GitSource's value.
     */
    public static final String GITSOURCE = "ramp.dev/gitsource";
    /** The revision (pod template hash) the pods of a release run; also on the primary's template. */
    public static final String REVISION = "ramp.dev/revision";
    /**
     * On the pods of a Rollout with {@code service.provider: None}, the primary's and the canary's
     * alike, with the Service's name as value: what that Service selects while a canary step
     * splits traffic by pods. Left out of the revision's hash, as the revision labels are.
     */
    public static final String SERVICE = "ramp.dev/service";
    /** Istio's canonical revision label; its sidecar reports it as destination_canonical_revision. */
    public static final String CANONICAL_REVISION = "service.istio.io/canonical-revision";
    /**
     * On the target's KEDA ScaledObject, the Rollout (in its namespace) that pauses and resumes it
     * (KEDA's {@code autoscaling.keda.sh/paused-replicas}): how Ramp finds the pause it set once the
     * Rollout stops naming that ScaledObject. Not {@code ramp.dev/rollout}, which would make the
     * GitSource take the user's object for one Ramp generated.
     */
    public static final String AUTOSCALER_OF = "ramp.dev/autoscaler-of";

    /**
     * Ramp's label on every object it manages for a Rollout, with the Rollout's name as value
     * ({@link #rollout}): the objects it generates (primary, baseline, Services, routes, autoscaler
     * copies), and the user's objects a Rollout names (its target Deployment or StatefulSet, the
     * target's HorizontalPodAutoscaler), on which it is Ramp's own field, set by server-side apply
     * under its own field manager so that an apply of the user's manifest leaves it. Ramp's
     * informers of those kinds hold only objects carrying it. A label, not to be confused with the
     * annotation of the same key that marks what Ramp generates (Managed.ROLLOUT_ANNOTATION).
     */
    public static final String ROLLOUT = "ramp.dev/rollout";

    /**
     * The value of {@link #ROLLOUT} for a Rollout named {@code name}: the name, or, beyond the 63
     * characters of a label value, a prefix of it and a hash of the whole (see {@link KubeNames}).
     */
    public static String rollout(String name) {
        return KubeNames.withSuffix(name, "");
    }

    /**
     * The value of {@link #GITSOURCE} for a GitSource: {@code <namespace>.<name>}, or, beyond the
     * 63 characters of a label value, a prefix of it and a hash of the whole (see {@link KubeNames}).
     */
    public static String gitSource(String namespace, String name) {
        return KubeNames.withSuffix(namespace + "." + name, "");
    }

    private RampLabels() {
    }
}
