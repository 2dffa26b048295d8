package dev.ramp.rollout;

import dev.ramp.api.Phase;
import dev.ramp.api.RolloutStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The one place a target that changed during a release is handled, for every releasing phase:
 * the release restarts from the new revision, so nothing unanalysed goes further. The single
 * exception is a primary that already runs the analysed template: that promotion finishes
 * (it needs nothing from the target) with all traffic on the primary, since the canary's pods
 * now run the unanalysed template, and the new revision is released after it.
 */
public class NewRevisionGuard {

    private static final Set<Phase> RELEASING = Set.of(Phase.Progressing, Phase.WaitingPromotion, Phase.Promoting);

    private final Workloads workloads;
    private final Transitions transitions;

    public NewRevisionGuard(Workloads workloads, Transitions transitions) {
        this.workloads = workloads;
        this.transitions = transitions;
    }

    /** What to do next when a new revision took this reconcile; empty to let the phase's handler run. */
    public Optional<Next> apply(RolloutContext context) {
        RolloutStatus status = context.status();
        String revision = context.targetRevision();
        if (!RELEASING.contains(status.getPhase()) || revision.equals(status.getLastAppliedRevision())) {
            return Optional.empty();
        }
        if (status.getPhase() == Phase.Promoting && workloads.primary(context.rollout())
                .map(Workloads::revisionOf).filter(status.getLastAppliedRevision()::equals).isPresent()) {
            // The canary's pods now run the new template, which nothing has analysed: they lose
            // their share at once (no step, no weight); the primary finishes rolling out.
            status.setStep(null);
            status.setCanaryWeight(0);
            return Optional.empty();
        }
        transitions.startRelease(context, revision);
        return Optional.of(Next.after(Duration.ofSeconds(1)));
    }
}
