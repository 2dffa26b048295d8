package dev.ramp.api;

/**
 * The reasons of the Ready condition when Ramp cannot release a StatefulSet target by its
 * partition (docs/statefulsets.md). Each holds the Rollout, changing nothing, until the user fixes it.
 */
public final class StatefulSetReasons {

    /**
     * Another field manager (the GitSource's apply, kubectl) declares
     * {@code spec.updateStrategy.rollingUpdate.partition}: Ramp owns that field, and two owners would fight.
     */
    public static final String PARTITION_DECLARED = "PartitionDeclared";

    /** The StatefulSet's {@code spec.updateStrategy.type} is OnDelete: a partition moves no pod. */
    public static final String ON_DELETE = "OnDeleteUpdateStrategy";

    /** The field Ramp owns on a StatefulSet target. */
    public static final String PARTITION_FIELD = "spec.updateStrategy.rollingUpdate.partition";

    private StatefulSetReasons() {
    }
}
