package dev.ramp.cli.status;

import dev.ramp.api.GitRevertStatus;
import dev.ramp.api.Rollout;
import dev.ramp.api.RolloutActions;
import dev.ramp.api.RolloutStatus;
import dev.ramp.api.Strategy;
import dev.ramp.cli.ReleaseView;
import dev.ramp.cli.Rollouts;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Gathers a {@link StatusReport}: the Rollout, then its target, routing and Events. */
public final class StatusReports {

    /** The annotation a GitSource puts on what it applies: the commit it came from. */


    private StatusReports() {
    }

    public static StatusReport collect(Rollouts rollouts, Rollout rollout, int maxEvents) {
        ReleaseView view = new ReleaseView(rollout);
        RolloutStatus status = view.status();
        boolean canary = view.strategy() == Strategy.Canary;
        boolean running = ReleaseView.RUNNING.contains(view.phase());
        Optional<Rollouts.Target> target = rollouts.target(rollout);
        GitRevertStatus gitRevert = status.getGitRevert();
        // A Canary's steps, in pods for a StatefulSet that counts them so (stepReplicas), else in percent.
        List<Integer> stepPods = canary ? view.stepPods().orElse(null) : null;
        List<Integer> stepWeights = canary && stepPods == null ? view.stepWeights() : null;
        return new StatusReport(view.name(), view.namespace(), view.strategy().name(),
                view.phase() == null ? null : view.phase().name(), status.getPhaseSince(), view.paused(),
                canary && running ? view.step() : null, running ? view.stepSince() : null,
                stepWeights, stepPods,
                canary ? null : view.iterations(), canary ? null : view.requiredIterations(),
                view.weight(), Routing.of(rollouts.client(), rollout).orElse(null),
                view.failedChecks(), view.threshold(), view.inconclusiveChecks(), view.inconclusiveLimit(), view.metrics(),
                new StatusReport.Commits(status.getLastPromotedCommit(),
                        target.map(Rollouts.Target::commit).orElse(null), view.revertCommit(),
                        gitRevert == null || gitRevert.getState() == null ? null : gitRevert.getState().name(),
                        gitRevert == null ? null : gitRevert.getReason()),
                new StatusReport.Revisions(status.getLastAppliedRevision(), status.getLastPromotedRevision(),
                        target.map(Rollouts.Target::revision).orElse(null)),
                status.getLastAction(), pendingAction(rollout), status.getConditions(),
                events(rollouts, rollout, maxEvents));
    }

    private static String pendingAction(Rollout rollout) {
        Map<String, String> annotations = rollout.getMetadata().getAnnotations();
        String requested = annotations == null ? null : annotations.get(RolloutActions.ANNOTATION);
        String done = rollout.getStatus() == null ? null : rollout.getStatus().getLastAction();
        return requested == null || requested.equals(done) ? null : requested;
    }

    /** The latest Events about this Rollout (not an earlier one of the same name), oldest first. */
    private static List<StatusReport.EventLine> events(Rollouts rollouts, Rollout rollout, int max) {
        String uid = rollout.getMetadata().getUid();
        List<Event> events = rollouts.client().v1().events().inNamespace(rollout.getMetadata().getNamespace())
                .withField("involvedObject.kind", "Rollout")
                .withField("involvedObject.name", rollout.getMetadata().getName())
                .list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getUid() == null || Objects.equals(uid, e.getInvolvedObject().getUid()))
                .sorted(Comparator.comparing(StatusReports::instant))
                .toList();
        return events.subList(Math.max(0, events.size() - max), events.size()).stream()
                .map(e -> new StatusReport.EventLine(e.getType(), e.getReason(), e.getMessage(), time(e), e.getCount()))
                .toList();
    }

    private static Instant instant(Event event) {
        try {
            return Instant.parse(time(event));
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static String time(Event event) {
        if (event.getLastTimestamp() != null) {
            return event.getLastTimestamp();
        }
        if (event.getEventTime() != null && event.getEventTime().getTime() != null) {
            return event.getEventTime().getTime();
        }
        return event.getMetadata().getCreationTimestamp();
    }
}
