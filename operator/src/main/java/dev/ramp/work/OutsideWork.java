package dev.ramp.work;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that talk to the world outside the cluster for Ramp: webhooks, metric providers and
 * Git remotes. It owns a fixed pool of {@code threads} and gives each namespace a share of it:
 * at most {@code perNamespace} of a namespace's tasks run at once, at most {@code queuePerNamespace}
 * more wait their turn, and a task beyond that is refused at once (the caller answers "busy").
 * A slow or hostile peer of one namespace so holds at most its namespace's share, never JOSDK's
 * reconcile threads and never another namespace's turn, unless {@code threads / perNamespace}
 * namespaces all hang at once.
 *
 * <p>Tasks of a namespace start in the order they were submitted. Each task must bound itself
 * (the hooks' and providers' deadlines, Git's timeouts): nothing here interrupts a running task.
 */
public final class OutsideWork implements AutoCloseable {

    /** The settings, as the operator's configuration names them. */
    public static final String THREADS_SETTING = "ramp.outside.threads";
    public static final String PER_NAMESPACE_SETTING = "ramp.outside.per-namespace";
    public static final String QUEUE_SETTING = "ramp.outside.queue-per-namespace";

    private final ExecutorService pool;
    private final int perNamespace;
    private final int queuePerNamespace;
    private final Map<String, Lane> lanes = new HashMap<>();

    /** What one namespace has running and waiting. */
    private static final class Lane {
        int running;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    public OutsideWork(int threads, int perNamespace, int queuePerNamespace) {
        if (threads < 1 || perNamespace < 1 || queuePerNamespace < 0) {
            throw new IllegalArgumentException(THREADS_SETTING + " and " + PER_NAMESPACE_SETTING + " must be at least 1, "
                    + QUEUE_SETTING + " at least 0");
        }
        this.perNamespace = Math.min(perNamespace, threads);
        this.queuePerNamespace = queuePerNamespace;
        AtomicInteger count = new AtomicInteger();
        // The pool's own queue never holds more than perNamespace tasks of any namespace: the lanes hold the rest.
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "ramp-outside-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs {@code task} for {@code namespace} when its share allows; empty when the namespace
     * already has its share running and its queue full. The future completes with the task's
     * result or exception.
     */
    public <T> Optional<CompletableFuture<T>> submit(String namespace, Callable<T> task) {
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
        synchronized (lanes) {
            Lane lane = lanes.computeIfAbsent(namespace, n -> new Lane());
            if (lane.running < perNamespace) {
                lane.running++;
            } else if (lane.waiting.size() < queuePerNamespace) {
                lane.waiting.add(run);
                return Optional.of(result);
            } else {
                return Optional.empty();
            }
        }
        start(namespace, run);
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

    private void start(String namespace, Runnable run) {
        try {
            pool.execute(run);
        } catch (RuntimeException e) {
            // Rejected after close: the lane gives its turn back, the task is dropped with the pool.
            finished(namespace);
        }
    }

    /** A task of the namespace ended: its turn goes to the next waiting one, or the lane shrinks. */
    private void finished(String namespace) {
        Runnable next;
        synchronized (lanes) {
            Lane lane = lanes.get(namespace);
            if (lane == null) {
                return;
            }
            next = lane.waiting.poll();
            if (next == null) {
                lane.running--;
                if (lane.running == 0) {
                    lanes.remove(namespace);
                }
                return;
            }
        }
        start(namespace, next);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
