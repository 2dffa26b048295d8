package dev.ramp.work;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The answers to questions asked outside the cluster, by question: a reconcile asks, gets
 * {@link Observation#pending} while the question runs on {@link OutsideWork}, and is woken
 * ({@code answered}) when the answer is in; the next ask of the same question gets it. It owns
 * which questions run and which answers are kept:
 * <ul>
 * <li>one question per {@link Question#subject()} runs at a time: a newer one waits until the
 * older is answered, whose answer is then dropped unused (a stale answer never serves a newer
 * question, and a hanging peer is never asked twice at once);</li>
 * <li>an answer serves its question again for {@code reuse} after it came in, so a pass repeated
 * within the same round (a lost status write, a wake by another event) does not ask twice; with
 * {@code reuse} zero it is handed out once;</li>
 * <li>an answer nobody collects is dropped {@link #KEEP_UNCOLLECTED} after it came in;</li>
 * <li>a question its namespace has no room for, or whose work threw, is answered at once with
 * {@code unanswered(why)}: an answer that says the operator could not ask, never a verdict.</li>
 * </ul>
 * Questions are values and answers are found by them, so a later layer may batch questions
 * (one PromQL query for many Rollouts) behind the same calls.
 */
public final class Answers<Q extends Question, A> {

    public static final Duration KEEP_UNCOLLECTED = Duration.ofMinutes(10);
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(10);

    private final OutsideWork work;
    private final Clock clock;
    private final Consumer<Q> answered;
    private final Map<Object, Entry<Q, A>> entries = new HashMap<>();
    private Instant swept = Instant.MIN;

    private static final class Entry<Q, A> {
        final Q question;
        final Duration reuse;
        A answer;
        Instant answeredAt;
        boolean collected;

        Entry(Q question, Duration reuse) {
            this.question = question;
            this.reuse = reuse;
        }
    }

    public Answers(OutsideWork work, Clock clock, Consumer<Q> answered) {
        this.work = work;
        this.clock = clock;
        this.answered = answered;
    }

    /** {@link #ask(Question, Priority, Duration, Duration, Callable, Function)} as routine work. */
    public Observation<A> ask(Q question, Duration reuse, Duration lookAgain, Callable<A> task,
            Function<String, A> unanswered) {
        return ask(question, Priority.ROUTINE, reuse, lookAgain, task, unanswered);
    }

    /**
     * The answer to {@code question}: asked with {@code task} the first time (at {@code priority}
     * in its namespace's line), pending (look again after {@code lookAgain}) until it is in, then
     * ready for {@code reuse}.
     */
    public Observation<A> ask(Q question, Priority priority, Duration reuse, Duration lookAgain, Callable<A> task,
            Function<String, A> unanswered) {
        Entry<Q, A> entry;
        synchronized (this) {
            Instant now = clock.instant();
            sweep(now);
            Entry<Q, A> known = entries.get(question.subject());
            if (known != null && known.answer == null) {
                return Observation.pending(lookAgain);
            }
            if (known != null && known.question.equals(question) && !(known.collected && expired(known, known.reuse, now))) {
                known.collected = true;
                if (known.reuse.isZero()) {
                    entries.remove(question.subject());
                }
                return Observation.ready(known.answer);
            }
            Optional<CompletableFuture<A>> running = work.submit(question.namespace(), priority, task);
            if (running.isEmpty()) {
                entries.remove(question.subject());
                return Observation.ready(unanswered.apply(work.busy(question.namespace())));
            }
            entry = new Entry<>(question, reuse);
            entries.put(question.subject(), entry);
            Entry<Q, A> asked = entry;
            running.get().whenComplete((answer, e) -> answered(asked, answer != null ? answer
                    : unanswered.apply("could not be asked: " + (e == null ? "no answer" : describe(e)))));
        }
        return Observation.pending(lookAgain);
    }

    /** How many questions are running or answered and kept. */
    public synchronized int size() {
        return entries.size();
    }

    private void answered(Entry<Q, A> entry, A answer) {
        synchronized (this) {
            entry.answer = answer;
            entry.answeredAt = clock.instant();
        }
        answered.accept(entry.question);
    }

    private void sweep(Instant now) {
        if (now.isBefore(swept.plus(SWEEP_EVERY))) {
            return;
        }
        swept = now;
        entries.values().removeIf(e -> e.answer != null
                && expired(e, e.collected ? e.reuse : max(e.reuse, KEEP_UNCOLLECTED), now));
    }

    private static boolean expired(Entry<?, ?> entry, Duration keep, Instant now) {
        return entry.answeredAt != null && now.isAfter(entry.answeredAt.plus(keep));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) > 0 ? a : b;
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause() != null && e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return cause.getClass().getSimpleName() + (message.length() > 200 ? message.substring(0, 200) + "…" : message);
    }
}
