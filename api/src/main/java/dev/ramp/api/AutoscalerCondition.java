package dev.ramp.api;

/**
 * The Rollout condition that says whether Ramp can follow the autoscaler {@code spec.autoscalerRef}
 * names: set only for Rollouts that name one. False never holds a release nor rolls one back (the
 * canary and the promotion work without the primary's copy, at the primary's current size); it
 * says why no copy scales the primary, and no copy is written meanwhile. Fixing the autoscaler or
 * installing KEDA is enough: the Rollout is woken by either.
 */
public final class AutoscalerCondition {

    /** The condition's type. */
    public static final String TYPE = "Autoscaler";
    /** True: the named autoscaler scales the target, and Ramp's copy scales the primary. */
    public static final String COPIED = "AutoscalerCopied";
    /** False: no autoscaler of that kind and name in the Rollout's namespace. */
    public static final String NOT_FOUND = "AutoscalerNotFound";
    /** False: the autoscaler's scaleTargetRef is not the target Deployment. */
    public static final String NOT_ON_TARGET = "AutoscalerNotOnTarget";
    /** False: KEDA's ScaledObject CRD is not installed in the cluster. */
    public static final String NOT_INSTALLED = "AutoscalerNotInstalled";

    private AutoscalerCondition() {
    }
}
