package dev.ramp.work;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.PriorityQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that talk to the world outside the cluster for Ramp: webhooks, metric providers and
 * Git remotes. It owns a fixed pool of {@code threads} and gives each namespace a share of it:
 * at most {@code perNamespace} of a namespace's tasks run at once, at most {@code queuePerNamespace}
 * more of each {@link Priority} wait their turn, and a task beyond that is refused at once (the
 * caller answers "busy"). A slow or hostile peer of one namespace so holds at most its namespace's
 * share, never JOSDK's reconcile threads and never another namespace's turn, unless
 * {@code threads / perNamespace} namespaces all hang at once.
 *
 * <p>Waiting tasks, in a namespace's queue and in the pool's, start in their place in line: the
 * order they were submitted in, except that an {@link Priority#URGENT urgent} task is placed
 * {@code headStart} submissions (of any namespace) earlier than its own. It so goes ahead of every
 * routine task that has not waited that long, and a routine task is passed by at most
 * {@code headStart} urgent ones: it is never starved. Each task must bound itself (the hooks' and
 * providers' deadlines, Git's timeouts): nothing here interrupts a running task, so an urgent
 * task whose namespace has its share running waits for the first of them to end.
 */
public final class OutsideWork implements AutoCloseable {

    /** The settings, as the operator's configuration names them. */
    public static final String THREADS_SETTING = "ramp.outside.threads";
    public static final String PER_NAMESPACE_SETTING = "ramp.outside.per-namespace";
    public static final String QUEUE_SETTING = "ramp.outside.queue-per-namespace";
    /** How many submissions earlier than its own an urgent task is placed in line. */
    public static final int URGENT_HEAD_START = 1_000;

    /** Waiting tasks by their place in line; of two with the same place, the urgent one, then the first submitted. */
    private static final Comparator<Runnable> IN_LINE = Comparator.<Runnable>comparingLong(t -> ((Task) t).place())
            .thenComparing(t -> ((Task) t).priority() != Priority.URGENT)
            .thenComparingLong(t -> ((Task) t).submission());

    private final ExecutorService pool;
    private final int perNamespace;
    private final int queuePerNamespace;
    private final long headStart;
    private final Map<String, Lane> lanes = new HashMap<>();
    private long submissions;

    /** A task and its place in line. */
    private record Task(String namespace, Priority priority, long submission, long place, Runnable body) implements Runnable {

        @Override
        public void run() {
            body.run();
        }
    }

    /** What one namespace has running and waiting. */
    private static final class Lane {
        int running;
        final PriorityQueue<Runnable> waiting = new PriorityQueue<>(IN_LINE);
        final int[] waitingBy = new int[Priority.values().length];
    }

    public OutsideWork(int threads, int perNamespace, int queuePerNamespace) {
        this(threads, perNamespace, queuePerNamespace, URGENT_HEAD_START);
    }

    /** With an urgent task's head start of {@code headStart} submissions: for tests of starvation. */
    OutsideWork(int threads, int perNamespace, int queuePerNamespace, long headStart) {
        if (threads < 1 || perNamespace < 1 || queuePerNamespace < 0) {
            throw new IllegalArgumentException(THREADS_SETTING + " and " + PER_NAMESPACE_SETTING + " must be at least 1, "
                    + QUEUE_SETTING + " at least 0");
        }
        this.perNamespace = Math.min(perNamespace, threads);
        this.queuePerNamespace = queuePerNamespace;
        this.headStart = headStart;
        AtomicInteger count = new AtomicInteger();
        // The pool's own queue never holds more than perNamespace tasks of any namespace: the lanes hold the rest.
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(16, IN_LINE),
                task -> {
                    Thread thread = new Thread(task, "ramp-outside-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** {@link #submit(String, Priority, Callable)} of routine work. */
    public <T> Optional<CompletableFuture<T>> submit(String namespace, Callable<T> task) {
        return submit(namespace, Priority.ROUTINE, task);
    }

    /**
     * Runs {@code task} for {@code namespace} when its share allows and its place in line comes;
     * empty when the namespace already has its share running and its queue of this priority full.
     * The future completes with the task's result or exception.
     */
    public <T> Optional<CompletableFuture<T>> submit(String namespace, Priority priority, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable run = () -> {
            T value = null;
            Throwable failure = null;
            try {
                value = task.call();
            } catch (Throwable e) {
                failure = e;
            }
            // The turn is given back before the answer is told: whoever the answer wakes may ask
            // again at once, and must not find its namespace's share still counting this task.
            finished(namespace);
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        };
        Task queued;
        synchronized (lanes) {
            Lane lane = lanes.computeIfAbsent(namespace, n -> new Lane());
            long submission = submissions++;
            queued = new Task(namespace, priority, submission, priority == Priority.URGENT ? submission - headStart : submission, run);
            if (lane.running < perNamespace) {
                lane.running++;
            } else if (lane.waitingBy[priority.ordinal()] < queuePerNamespace) {
                lane.waiting.add(queued);
                lane.waitingBy[priority.ordinal()]++;
                return Optional.of(result);
            } else {
                return Optional.empty();
            }
        }
        start(queued);
        return Optional.of(result);
    }

    /** Why a task of {@code namespace} was refused, for the answer that says so. */
    public String busy(String namespace) {
        return "not asked: the operator's share of outside calls for namespace " + namespace + " is in use ("
                + perNamespace + " running, " + queuePerNamespace + " waiting); asked again later";
    }

    /** How many tasks of {@code namespace} run now. */
    public int running(String namespace) {
        synchronized (lanes) {
            Lane lane = lanes.get(namespace);
            return lane == null ? 0 : lane.running;
        }
    }

    /** How many tasks of {@code namespace} of this priority wait their turn now. */
    public int waiting(String namespace, Priority priority) {
        synchronized (lanes) {
            Lane lane = lanes.get(namespace);
            return lane == null ? 0 : lane.waitingBy[priority.ordinal()];
        }
    }

    private void start(Task task) {
        try {
            pool.execute(task);
        } catch (RuntimeException e) {
            // Rejected after close: the lane gives its turn back, the task is dropped with the pool.
            finished(task.namespace());
        }
    }

    /** A task of the namespace ended: its turn goes to the first waiting in line, or the lane shrinks. */
    private void finished(String namespace) {
        Task next;
        synchronized (lanes) {
            Lane lane = lanes.get(namespace);
            if (lane == null) {
                return;
            }
            next = (Task) lane.waiting.poll();
            if (next != null) {
                lane.waitingBy[next.priority().ordinal()]--;
            } else {
                lane.running--;
                if (lane.running == 0) {
                    lanes.remove(namespace);
                }
                return;
            }
        }
        start(next);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
