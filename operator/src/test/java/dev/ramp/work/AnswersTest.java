package dev.ramp.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ramp.testing.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Questions asked once, pending until answered, answered by question, never with a stale answer. */
class AnswersTest {

    private static final Duration LOOK_AGAIN = Duration.ofSeconds(7);

    record Asked(String namespace, String hook, int round) implements Question {
        @Override
        public Object subject() {
            return hook;
        }
    }

    private final OutsideWork work = new OutsideWork(4, 1, 1);
    private final MovingClock clock = new MovingClock(Instant.parse("2026-11-30T12:00:00Z"));
    private final List<Asked> woken = new CopyOnWriteArrayList<>();
    private final Answers<Asked, String> answers = new Answers<>(work, clock, woken::add);
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch hold = new CountDownLatch(1);

    @AfterEach
    void close() {
        hold.countDown();
        work.close();
    }

    private Observation<String> ask(Asked question, Duration reuse) {
        return answers.ask(question, reuse, LOOK_AGAIN, () -> {
            calls.incrementAndGet();
            return "answer to round " + question.round();
        }, why -> "unanswered: " + why);
    }

    private Observation<String> askHanging(Asked question) {
        return answers.ask(question, Duration.ofMinutes(1), LOOK_AGAIN, () -> {
            calls.incrementAndGet();
            hold.await(30, TimeUnit.SECONDS);
            return "late answer to round " + question.round();
        }, why -> "unanswered: " + why);
    }

    @Test
    void aQuestionIsPendingUntilAnsweredWakesTheAskerAndIsThenReadyForItsRound() {
        Asked question = new Asked("team-a", "load-test", 1);

        Observation<String> first = ask(question, Duration.ofMinutes(1));

        assertThat(first.pending()).isTrue();
        assertThat(first.lookAgain()).contains(LOOK_AGAIN);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(question));
        assertThat(ask(question, Duration.ofMinutes(1)).value()).isEqualTo("answer to round 1");
        assertThat(ask(question, Duration.ofMinutes(1)).value()).as("a repeated pass asks nothing").isEqualTo("answer to round 1");
        assertThat(calls).hasValue(1);
    }

    @Test
    void aNewerRoundWaitsForTheOlderQuestionAndNeverGetsItsAnswer() {
        Asked older = new Asked("team-a", "load-test", 1);
        Asked newer = new Asked("team-a", "load-test", 2);
        assertThat(askHanging(older).pending()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);

        assertThat(ask(newer, Duration.ofMinutes(1)).pending()).as("one question per subject at a time").isTrue();
        hold.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(older));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> calls.get() == 1);

        assertThat(ask(newer, Duration.ofMinutes(1)).pending()).as("asked only now").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(newer));
        assertThat(ask(newer, Duration.ofMinutes(1)).value()).isEqualTo("answer to round 2");
    }

    @Test
    void anAnswerServesForItsReuseThenTheQuestionIsAskedAgain() {
        Asked rollback = new Asked("team-a", "rollback", 0);
        ask(rollback, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(rollback));
        assertThat(ask(rollback, Duration.ofSeconds(30)).value()).isEqualTo("answer to round 0");

        clock.advance(Duration.ofSeconds(29));
        assertThat(ask(rollback, Duration.ofSeconds(30)).pending()).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(ask(rollback, Duration.ofSeconds(30)).pending()).as("asked again after its interval").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 2);
    }

    @Test
    void withNoReuseAnAnswerIsHandedOutOnce() {
        Asked sync = new Asked("team-a", "sync", 0);
        ask(sync, Duration.ZERO);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(sync));

        assertThat(ask(sync, Duration.ZERO).pending()).isFalse();
        assertThat(ask(sync, Duration.ZERO).pending()).as("the next ask is a new sync").isTrue();
    }

    @Test
    void anAnswerNobodyCollectsIsDropped() {
        Asked question = new Asked("team-a", "load-test", 1);
        ask(question, Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(question));
        assertThat(answers.size()).isEqualTo(1);

        clock.advance(Answers.KEEP_UNCOLLECTED.plusSeconds(1));
        ask(new Asked("team-a", "other", 1), Duration.ofSeconds(10));

        assertThat(answers.size()).as("only the new question is kept").isEqualTo(1);
    }

    @Test
    void aQuestionItsNamespaceHasNoRoomForIsAnsweredAtOnceThatItWasNotAsked() {
        askHanging(new Asked("team-a", "one", 1));
        askHanging(new Asked("team-a", "two", 1));

        Observation<String> refused = ask(new Asked("team-a", "three", 1), Duration.ofMinutes(1));

        assertThat(refused.pending()).isFalse();
        assertThat(refused.value()).startsWith("unanswered: not asked").contains("namespace team-a");
        assertThat(ask(new Asked("team-b", "three", 1), Duration.ofMinutes(1)).pending()).as("team-b has room").isTrue();
    }
}
