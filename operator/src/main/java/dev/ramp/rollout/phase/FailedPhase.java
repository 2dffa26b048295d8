package dev.ramp.rollout.phase;

import dev.ramp.api.GitRevertReasons;
import dev.ramp.api.GitRevertSpec;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.git.ReleaseReverter;
import dev.ramp.kube.Conditions;
import dev.ramp.rollout.Next;
import dev.ramp.rollout.PhaseHandler;
import dev.ramp.rollout.Reverts;
import dev.ramp.rollout.RolloutContext;
import dev.ramp.rollout.Transitions;
import dev.ramp.work.Observation;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * After a rollback: with {@code spec.gitRevert} enabled, reverts the failed release in Git once
 * (condition {@code GitReverted}; Unknown while a revert waits for Git to be reachable), then
 * waits for a new revision like any idle phase. The revert's landing (the target back on the
 * promoted template) starts nothing; the phase stays Failed until a new revision arrives.
 */
public class FailedPhase implements PhaseHandler {

    private static final Duration RETRY = Duration.ofSeconds(15);

    /** GitReverted=Unknown's reason between deciding on a revert and pushing it. */
    public static final String REVERTING = "Reverting";

    private final IdlePhase idle;
    private final Reverts reverter;

    public FailedPhase(IdlePhase idle, Reverts reverter) {
        this.idle = idle;
        this.reverter = reverter;
    }

    @Override
    public Set<Phase> phases() {
        return Set.of(Phase.Failed);
    }

    /**
     * The revert is recorded as intended (GitReverted=Unknown, {@value #REVERTING}) in one pass
     * and pushed in the next, once that is written; a revert pushed just before the operator
     * died is found again by its trailers, never pushed twice.
     */
    @Override
    public Next handle(RolloutContext context) {
        notRevertedWithoutEvidence(context);
        Next revert = revertDue(context) ? revert(context) : Next.onChange();
        Next next = idle.handle(context);
        return next.after().isPresent() ? next : revert;
    }

    private static boolean revertDue(RolloutContext context) {
        GitRevertSpec spec = context.rollout().getSpec().getGitRevert();
        RolloutStatus status = context.status();
        if (spec == null || !spec.isEnabled() || status.getLastAppliedRevision() == null
                || (status.getRollbackCause() != null && !status.getRollbackCause().revertsGit())
                || status.getLastAppliedRevision().equals(status.getLastPromotedRevision())
                || !context.targetRevision().equals(status.getLastAppliedRevision())) {
            return false;
        }
        return Conditions.find(status.getConditions(), RolloutConditions.GIT_REVERTED)
                .map(c -> Conditions.UNKNOWN.equals(c.getStatus())).orElse(true);
    }

    /**
     * A rollback that showed nothing against the commit (an analysis with no verdict, a canary
     * the cluster never ran) leaves Git declaring it; the condition says why, and that
     * {@code ramp retry} starts the release again.
     */
    private void notRevertedWithoutEvidence(RolloutContext context) {
        GitRevertSpec spec = context.rollout().getSpec().getGitRevert();
        RolloutStatus status = context.status();
        if (spec == null || !spec.isEnabled() || status.getRollbackCause() == null || status.getRollbackCause().revertsGit()
                || Conditions.find(status.getConditions(), RolloutConditions.GIT_REVERTED).isPresent()) {
            return;
        }
        Transitions.setCondition(context, RolloutConditions.GIT_REVERTED, Conditions.FALSE, GitRevertReasons.NOT_REVERTED, "Git still declares revision "
                + status.getLastAppliedRevision() + ": the release was rolled back because "
                + why(status.getRollbackCause().getReason()) + ", which is no evidence against the commit; fix that, then"
                + " `ramp retry` starts the release again");
    }

    private static String why(String reason) {
        return switch (reason) {
            case RollbackCause.CANARY_NOT_SCHEDULED -> "the cluster could not run the canary's pods (" + reason
                    + ": unschedulable, or refused by a quota)";
            case RollbackCause.IMAGE_NOT_PULLED -> "the canary's image could not be pulled (" + reason
                    + ": the registry unreachable or refusing)";
            default -> "its analysis stayed inconclusive (no verdict on the canary)";
        };
    }

    private Next revert(RolloutContext context) {
        RolloutStatus status = context.status();
        if (Conditions.find(status.getConditions(), RolloutConditions.GIT_REVERTED).isEmpty()) {
            Transitions.setCondition(context, RolloutConditions.GIT_REVERTED, Conditions.UNKNOWN, REVERTING, "reverting revision "
                    + status.getLastAppliedRevision() + " in Git");
            return Next.after(Duration.ofMillis(100));
        }
        Observation<ReleaseReverter.Outcome> asked = reverter.revert(context, new ReleaseReverter.Request(context.rollout(),
                context.target(), status.getLastAppliedRevision(), status.getRollbackCause()));
        if (asked.pending()) {
            return Next.after(asked.lookAgain().orElseThrow());
        }
        ReleaseReverter.Outcome outcome = asked.value();
        String previousReason = Conditions.find(status.getConditions(), RolloutConditions.GIT_REVERTED).map(c -> c.getReason()).orElse(null);
        String conditionStatus = outcome.reverted() ? Conditions.TRUE : outcome.retry() ? Conditions.UNKNOWN : Conditions.FALSE;
        Transitions.setCondition(context, RolloutConditions.GIT_REVERTED, conditionStatus, outcome.reason(), outcome.message());
        if (outcome.reverted()) {
            status.setRevertCommit(outcome.commit());
            context.normal(outcome.reason(), outcome.message());
            return Next.onChange();
        }
        if (!Objects.equals(previousReason, outcome.reason())) {
            context.warning(outcome.reason(), "Git revert: " + outcome.message());
        }
        return outcome.retry() ? Next.after(RETRY) : Next.onChange();
    }
}
