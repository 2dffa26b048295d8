package dev.ramp.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outside threads: each namespace gets its share, waits its turn in a bounded queue, and never holds another's. */
class OutsideWorkTest {

    private final OutsideWork work = new OutsideWork(4, 2, 3);
    /** Released at the end: stands for peers that answer only when the test lets them. */
    private final CountDownLatch hang = new CountDownLatch(1);

    @AfterEach
    void release() {
        hang.countDown();
        work.close();
    }

    private String hanging(AtomicInteger running, AtomicInteger most) throws InterruptedException {
        int now = running.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        try {
            hang.await(30, TimeUnit.SECONDS);
            return "late";
        } finally {
            running.decrementAndGet();
        }
    }

    @Test
    void aNamespaceRunsAtMostItsShareAtOnceAndTheRestWaitTheirTurn() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<CompletableFuture<String>> hanging = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            hanging.add(work.submit("team-a", () -> hanging(running, most)).orElseThrow());
        }
        List<Integer> order = new ArrayList<>();
        List<CompletableFuture<Integer>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            waiting.add(work.submit("team-a", () -> {
                synchronized (order) {
                    order.add(n);
                }
                return n;
            }).orElseThrow());
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
        assertThat(work.running("team-a")).isEqualTo(2);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        hang.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
        assertThat(most.get()).as("never more than the namespace's share at once").isEqualTo(2);
        assertThat(order).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(hanging).allMatch(f -> "late".equals(f.join()));
        await().atMost(Duration.ofSeconds(5)).until(() -> work.running("team-a") == 0);
    }

    @Test
    void aTaskBeyondTheNamespacesQueueIsRefusedAtOnceAndSaysWhy() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        for (int i = 0; i < 2 + 3; i++) {
            assertThat(work.submit("team-a", () -> hanging(running, most))).isPresent();
        }

        Optional<CompletableFuture<String>> refused = work.submit("team-a", () -> "never run");

        assertThat(refused).isEmpty();
        assertThat(work.busy("team-a")).contains("namespace team-a").contains("2 running, 3 waiting");
    }

    @Test
    void aNamespaceWhosePeersHangDoesNotDelayAnother() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        for (int i = 0; i < 2 + 3; i++) {
            work.submit("team-a", () -> hanging(running, most)).orElseThrow();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);

        List<CompletableFuture<String>> others = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            others.add(work.submit("team-b", () -> "answered").orElseThrow());
        }

        for (CompletableFuture<String> other : others) {
            assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo("answered");
        }
        assertThat(running.get()).as("team-a's peers still hang").isEqualTo(2);
    }

    @Test
    void aTaskThatThrowsCompletesExceptionallyAndGivesItsTurnBack() {
        CompletableFuture<String> broken = work.<String>submit("team-a", () -> {
            throw new IllegalStateException("boom");
        }).orElseThrow();

        await().atMost(Duration.ofSeconds(5)).until(broken::isDone);
        assertThat(broken).isCompletedExceptionally();
        await().atMost(Duration.ofSeconds(5)).until(() -> work.running("team-a") == 0);
    }

    @Test
    void anUrgentTaskGoesAheadOfTheRoutineTasksWaitingInItsNamespaceAndHasRoomOfItsOwn() {
        OutsideWork oneAtATime = new OutsideWork(4, 1, 3);
        try {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            oneAtATime.submit("team-a", () -> hanging(running, most)).orElseThrow();
            List<String> order = new ArrayList<>();
            List<CompletableFuture<String>> waiting = new ArrayList<>();
            for (String routine : List.of("routine-1", "routine-2", "routine-3")) {
                waiting.add(oneAtATime.submit("team-a", () -> record(order, routine)).orElseThrow());
            }
            assertThat(oneAtATime.submit("team-a", () -> "refused")).as("the routine queue is full").isEmpty();

            waiting.add(oneAtATime.submit("team-a", Priority.URGENT, () -> record(order, "urgent")).orElseThrow());

            assertThat(oneAtATime.waiting("team-a", Priority.ROUTINE)).isEqualTo(3);
            assertThat(oneAtATime.waiting("team-a", Priority.URGENT)).isEqualTo(1);
            hang.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
            assertThat(order).containsExactly("urgent", "routine-1", "routine-2", "routine-3");
        } finally {
            oneAtATime.close();
        }
    }

    @Test
    void aRoutineTaskIsPassedByAtMostTheHeadStartOfUrgentOnesSoItIsNeverStarved() {
        OutsideWork headStartOfTwo = new OutsideWork(1, 1, 10, 2);
        try {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            headStartOfTwo.submit("team-a", () -> hanging(running, most)).orElseThrow();
            List<String> order = new ArrayList<>();
            List<CompletableFuture<String>> waiting = new ArrayList<>();
            waiting.add(headStartOfTwo.submit("team-a", () -> record(order, "routine")).orElseThrow());
            for (int i = 1; i <= 4; i++) {
                String urgent = "urgent-" + i;
                waiting.add(headStartOfTwo.submit("team-a", Priority.URGENT, () -> record(order, urgent)).orElseThrow());
            }

            hang.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
            assertThat(order).containsExactly("urgent-1", "urgent-2", "routine", "urgent-3", "urgent-4");
        } finally {
            headStartOfTwo.close();
        }
    }

    @Test
    void whenEveryThreadIsBusyTheFirstFreeOneGoesToAnotherNamespacesUrgentTask() {
        OutsideWork oneThread = new OutsideWork(1, 1, 3);
        try {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            oneThread.submit("team-a", () -> hanging(running, most)).orElseThrow();
            List<String> order = new ArrayList<>();
            CompletableFuture<String> routine = oneThread.submit("team-b", () -> record(order, "team-b routine")).orElseThrow();
            CompletableFuture<String> urgent = oneThread.submit("team-c", Priority.URGENT, () -> record(order, "team-c urgent"))
                    .orElseThrow();
            // Each has its namespace's turn: they wait in the pool's queue, not in their lanes.
            assertThat(oneThread.running("team-b")).isEqualTo(1);
            assertThat(oneThread.running("team-c")).isEqualTo(1);

            hang.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> routine.isDone() && urgent.isDone());
            assertThat(order).containsExactly("team-c urgent", "team-b routine");
        } finally {
            oneThread.close();
        }
    }

    private static String record(List<String> order, String name) {
        synchronized (order) {
            order.add(name);
        }
        return name;
    }
}
