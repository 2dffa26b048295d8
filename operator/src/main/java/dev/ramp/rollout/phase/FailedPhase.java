package dev.ramp.rollout.phase;

import dev.ramp.api.GitRevertReasons;
import dev.ramp.api.GitRevertSpec;
import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.GitRevertStatus.State;
import dev.ramp.api.Phase;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.RolloutConditions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.git.ReleaseReverter;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.Messages;
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
 * After a rollback: with {@code spec.gitRevert} enabled, reverts the failed release in Git once,
 * then waits for a new revision like any idle phase. What the revert came to is
 * {@code status.gitRevert} (Pending while it waits for Git to be reachable), the only thing this
 * phase decides from; the {@code GitReverted} condition tells the same and is never read back.
 * The revert's landing (the target back on the promoted template) starts nothing; the phase
 * stays Failed until a new revision arrives.
 */
public class FailedPhase implements PhaseHandler {

    private static final Duration RETRY = Duration.ofSeconds(15);

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
     * The revert is recorded as intended (gitRevert Pending, {@value GitRevertReasons#REVERTING})
     * in one pass and pushed in the next, once that is written; a revert pushed just before the
     * operator died is found again by its trailers, never pushed twice.
     */
    @Override
    public Next handle(RolloutContext context) {
        // The Git side decides from the status as the rollback left it, before the idle phase may start a new release.
        Next revert = gitSide(context);
        return Next.soonest(idle.handle(context), revert);
    }

    /** The Git side of the rollback alone: the revert when it is due, or why there is none. */
    protected Next gitSide(RolloutContext context) {
        notRevertedWithoutEvidence(context);
        return revertDue(context) ? revert(context) : Next.onChange();
    }

    /**
     * Whether the target still declares the failed release, so that Git has not moved on: a
     * Deployment target still runs the failed template (its pods are scaled to 0).
     */
    protected boolean declaresFailedRelease(RolloutContext context) {
        return context.targetRevision().equals(context.status().getLastAppliedRevision());
    }

    private boolean revertDue(RolloutContext context) {
        GitRevertSpec spec = context.rollout().getSpec().getGitRevert();
        RolloutStatus status = context.status();
        if (spec == null || !spec.isEnabled() || status.getLastAppliedRevision() == null
                || (status.getRollbackCause() != null && !status.getRollbackCause().revertsGit())
                || status.getLastAppliedRevision().equals(status.getLastPromotedRevision())
                || !declaresFailedRelease(context)) {
            return false;
        }
        return status.getGitRevert() == null || status.getGitRevert().getState() == State.Pending;
    }

    /**
     * A rollback that showed nothing against the commit (an analysis with no verdict, a canary
     * the cluster never ran) leaves Git declaring it; gitRevert says why, and that
     * {@code ramp retry} starts the release again.
     */
    private void notRevertedWithoutEvidence(RolloutContext context) {
        GitRevertSpec spec = context.rollout().getSpec().getGitRevert();
        RolloutStatus status = context.status();
        if (spec == null || !spec.isEnabled() || status.getRollbackCause() == null || status.getRollbackCause().revertsGit()
                || status.getGitRevert() != null) {
            return;
        }
        record(context, State.NotReverted, GitRevertReasons.NOT_REVERTED, "Git still declares revision "
                + status.getLastAppliedRevision() + ": the release was rolled back because "
                + why(status.getRollbackCause().getReason()) + ", which is no evidence against the commit; fix that, then"
                + " `ramp retry` starts the release again", null);
    }

    private static String why(String reason) {
        return switch (reason) {
            case RollbackCause.CANARY_NOT_SCHEDULED -> "the cluster could not run the canary's pods (" + reason
                    + ": unschedulable, or refused by a quota)";
            case RollbackCause.IMAGE_NOT_PULLED -> "the canary's image could not be pulled (" + reason
                    + ": the registry unreachable or refusing)";
            case RollbackCause.BASELINE_NOT_READY -> "the baseline of the promoted revision could not be made ready (" + reason
                    + ")";
            default -> "its analysis stayed inconclusive (no verdict on the canary)";
        };
    }

    private Next revert(RolloutContext context) {
        RolloutStatus status = context.status();
        if (status.getGitRevert() == null) {
            record(context, State.Pending, GitRevertReasons.REVERTING, "reverting revision "
                    + status.getLastAppliedRevision() + " in Git", null);
            return Next.after(Duration.ofMillis(100));
        }
        Observation<ReleaseReverter.Outcome> asked = reverter.revert(context, new ReleaseReverter.Request(context.rollout(),
                context.targetObject(), status.getLastAppliedRevision(), status.getRollbackCause()));
        if (asked.pending()) {
            return Next.after(asked.lookAgain().orElseThrow());
        }
        ReleaseReverter.Outcome outcome = asked.value();
        String previousReason = status.getGitRevert().getReason();
        State state = outcome.reverted() ? State.Reverted : outcome.retry() ? State.Pending : State.Refused;
        record(context, state, outcome.reason(), outcome.message(), outcome.commit());
        if (outcome.reverted()) {
            context.normal(outcome.reason(), outcome.message());
            return Next.onChange();
        }
        if (!Objects.equals(previousReason, outcome.reason())) {
            context.warning(outcome.reason(), "Git revert: " + outcome.message());
        }
        return outcome.retry() ? Next.after(RETRY) : Next.onChange();
    }

    /** Records where the revert stands, and the GitReverted condition that tells it. */
    private static void record(RolloutContext context, State state, String reason, String message, String commit) {
        context.status().setGitRevert(new GitRevertStatus(state, reason, Messages.bounded(message), commit));
        String condition = switch (state) {
            case Pending -> Conditions.UNKNOWN;
            case Reverted -> Conditions.TRUE;
            case Refused, NotReverted -> Conditions.FALSE;
        };
        Transitions.setCondition(context, RolloutConditions.GIT_REVERTED, condition, reason, message);
    }
}
