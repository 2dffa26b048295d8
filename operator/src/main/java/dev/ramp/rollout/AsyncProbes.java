package dev.ramp.rollout;

import dev.ramp.analysis.Analysis;
import dev.ramp.analysis.CheckResult;
import dev.ramp.api.GitRevertReasons;
import dev.ramp.api.Rollout;
import dev.ramp.api.WebhookSpec;
import dev.ramp.git.ReleaseReverter;
import dev.ramp.hooks.HookCaller;
import dev.ramp.hooks.HookCaller.HookAnswer;
import dev.ramp.hooks.Hooks;
import dev.ramp.work.Answers;
import dev.ramp.work.Observation;
import dev.ramp.work.OutsideWork;
import dev.ramp.work.Question;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The probes against Prometheus and the Rollout's webhooks, run on {@link OutsideWork} in the
 * Rollout's namespace's share, never on a reconcile thread; those a rollback may wait for go
 * ahead of routine ones ({@link ProbePriority}). Each question (the round's checks,
 * one hook) is asked once ({@link Answers}); its answer wakes the Rollout through the event source
 * {@link #wakeups()}, and a pending answer is looked at again after its deadline at the latest.
 * The hooks of a type are asked concurrently, at most {@value #MAX_HOOKS_IN_FLIGHT} of a Rollout
 * at once; the rest are asked as those answer, in later passes of the same round.
 */
public class AsyncProbes implements Probes {

    /** The most hooks of one type and Rollout that are being called at once. */
    public static final int MAX_HOOKS_IN_FLIGHT = 8;
    /** A round of metric checks is looked at again after this at the latest (its queries time out sooner). */
    static final Duration CHECKS_LOOK_AGAIN = Duration.ofSeconds(30);
    /** A Git revert is looked at again after this at the latest (the wake-up comes when it ends). */
    static final Duration REVERT_LOOK_AGAIN = Duration.ofSeconds(30);

    /** One question about a Rollout: {@code what} (the checks, a hook), for its revision, in a round. */
    record ProbeQuestion(String namespace, String name, String uid, String what, String revision, String round)
            implements Question {

        @Override
        public Object subject() {
            return new Subject(namespace, name, uid, what);
        }
    }

    /** What a question is about, whatever its round. */
    record Subject(String namespace, String name, String uid, String what) {
    }

    private final SimpleInboundEventSource<Rollout> wakeups = new SimpleInboundEventSource<>("probe-answers");
    private final Analysis analysis;
    private final Hooks hooks;
    private final OutsideWork work;
    private final Answers<ProbeQuestion, CheckResult> checks;
    private final Answers<ProbeQuestion, HookAnswer> answers;
    private final Answers<ProbeQuestion, ReleaseReverter.Outcome> reverts;

    public AsyncProbes(Analysis analysis, Hooks hooks, OutsideWork work, Clock clock) {
        this.analysis = analysis;
        this.hooks = hooks;
        this.work = work;
        this.checks = new Answers<>(work, clock, this::wake);
        this.answers = new Answers<>(work, clock, this::wake);
        this.reverts = new Answers<>(work, clock, this::wake);
    }

    /** Wakes the Rollout a question was about once its answer is in; registered with the Rollout controller. */
    public SimpleInboundEventSource<Rollout> wakeups() {
        return wakeups;
    }

    @Override
    public Observation<CheckResult> checks(RolloutContext context) {
        Rollout rollout = context.rollout();
        String revision = context.status().getLastAppliedRevision();
        var templates = context.templates();
        return checks.ask(question(context, "checks", context.round()), ProbePriority.round(context.status()),
                Answers.KEEP_UNCOLLECTED, CHECKS_LOOK_AGAIN,
                () -> analysis.run(rollout, revision, templates), CheckResult::notRun);
    }

    @Override
    public Observation<Optional<HookAnswer>> firstRefusal(RolloutContext context, WebhookSpec.Type type) {
        return first(context, type, answer -> !answer.ok());
    }

    @Override
    public Observation<Optional<HookAnswer>> firstYes(RolloutContext context, WebhookSpec.Type type) {
        return first(context, type, HookAnswer::ok);
    }

    /**
     * The Git reverts of {@code reverter}, run on the Rollout's namespace's share: pending while
     * one runs (its fetch and push are bounded by the Git deadline), the Rollout woken when it is
     * done. Each outcome is handed out once; the next ask is a new attempt. A revert the namespace
     * has no room for now is tried again later, not refused.
     */
    public Reverts reverts(ReleaseReverter reverter) {
        return (context, request) -> reverts.ask(question(context, "git-revert", ""), ProbePriority.revert(), Duration.ZERO,
                REVERT_LOOK_AGAIN,
                () -> reverter.revert(request), why -> ReleaseReverter.Outcome.later(GitRevertReasons.BUSY, "the Git revert " + why));
    }

    /**
     * Tells every hook of the type, on the namespace's share, without waiting for their answers;
     * {@code refused} hears of each that did not answer 2xx or could not be called.
     */
    public void tellAll(Rollout rollout, WebhookSpec.Type type, Consumer<HookAnswer> refused) {
        String namespace = rollout.getMetadata().getNamespace();
        for (WebhookSpec hook : Hooks.of(rollout, type)) {
            String payload = Hooks.payload(rollout, hook);
            work.submit(namespace, () -> hooks.call(rollout, hook, payload)).ifPresentOrElse(
                    answer -> answer.whenComplete((a, failure) -> {
                        if (failure != null) {
                            refused.accept(notAsked(hook, "could not be called: " + failure));
                        } else if (!a.ok()) {
                            refused.accept(a);
                        }
                    }),
                    () -> refused.accept(notAsked(hook, work.busy(namespace))));
        }
    }

    /**
     * The first answer of the type's hooks that {@code decisive} picks, once it is in; none once all
     * answered otherwise; pending while any is still being asked.
     */
    private Observation<Optional<HookAnswer>> first(RolloutContext context, WebhookSpec.Type type,
            Predicate<HookAnswer> decisive) {
        Rollout rollout = context.rollout();
        Duration lookAgain = null;
        int asking = 0;
        for (WebhookSpec hook : Hooks.of(rollout, type)) {
            if (asking >= MAX_HOOKS_IN_FLIGHT) {
                break;
            }
            Observation<HookAnswer> answer = ask(context, type, hook);
            if (answer.pending()) {
                asking++;
                Duration again = answer.lookAgain().orElseThrow();
                lookAgain = lookAgain == null || again.compareTo(lookAgain) < 0 ? again : lookAgain;
            } else if (decisive.test(answer.value())) {
                return Observation.ready(Optional.of(answer.value()));
            }
        }
        return lookAgain == null ? Observation.ready(Optional.empty()) : Observation.pending(lookAgain);
    }

    /**
     * One hook's answer. A rollback hook's serves for one analysis interval, whatever the round, so
     * rollback hooks are asked at most once per interval; any other's serves its round.
     */
    private Observation<HookAnswer> ask(RolloutContext context, WebhookSpec.Type type, WebhookSpec hook) {
        Rollout rollout = context.rollout();
        boolean rollback = type == WebhookSpec.Type.Rollback;
        ProbeQuestion question = question(context, "hook/" + type + "/" + hook.getName(), rollback ? "" : context.round());
        Duration reuse = rollback ? AnalysisSettings.of(rollout).interval() : Answers.KEEP_UNCOLLECTED;
        String payload = Hooks.payload(rollout, hook);
        return answers.ask(question, ProbePriority.hook(context.status(), type), reuse, HookCaller.timeout(hook).plusSeconds(5),
                () -> hooks.call(rollout, hook, payload), why -> notAsked(hook, why));
    }

    private static HookAnswer notAsked(WebhookSpec hook, String why) {
        return new HookAnswer(HookAnswer.NOT_ASKED, "webhook " + hook.getName() + " (" + HookCaller.wireName(hook.getType())
                + ", " + HookCaller.shown(hook) + ") " + why, "");
    }

    private static ProbeQuestion question(RolloutContext context, String what, String round) {
        var metadata = context.rollout().getMetadata();
        return new ProbeQuestion(metadata.getNamespace(), metadata.getName(), metadata.getUid(), what,
                context.status().getLastAppliedRevision(), round);
    }

    private void wake(ProbeQuestion question) {
        if (wakeups.isRunning()) {
            wakeups.propagateEvent(new ResourceID(question.name(), question.namespace()));
        }
    }
}
