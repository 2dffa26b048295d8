package dev.ramp;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.Controller;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * When the Java Operator SDK's operator runs: started once the API server answers, started again
 * (as a follower) after this replica lost the leader election Lease, stopped on shutdown.
 *
 * <p>quarkus-operator-sdk would start it while Quarkus boots, and a start that cannot reach the API
 * server (the leader election's permission check, informers' first lists) fails the boot: the
 * process exits and the kubelet's growing back-off delays recovery long after the API server is
 * back. Here an unreachable API server is asked again with back-off ({@link #FIRST_RETRY} doubling
 * to {@link #LAST_RETRY}) while the readiness check reports the operator as not started, and a
 * lost Lease stops the operator (no reconcile runs until it leads again) instead of ending the
 * process. Retries are scheduled, never slept.
 *
 * <p>After a lost Lease the replica goes on with a new Java Operator SDK {@link Operator} holding
 * the same reconcilers and configuration, never the stopped one restarted: Java Operator SDK
 * keeps per-resource state in each controller's event processor, and a reconcile still running
 * when the operator stopped leaves its resource marked as being processed, so that a restarted
 * operator would never reconcile that resource again (seen in the lab's API outage benchmark).
 */
@ApplicationScoped
public class OperatorLifecycle {

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(OperatorLifecycle.class);

    /** The operator of this run: the injected one first, a new one after each lost Lease. */
    private volatile Operator operator;
    private final KubernetesClient client;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "ramp-operator-lifecycle");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;
    private volatile boolean running;
    @SuppressWarnings("rawtypes") // as Java Operator SDK returns them
    private volatile Set<RegisteredController> controllers = Set.of();
    /** Guarded by this: the wait before the next try to start. */
    private Duration nextRetry = FIRST_RETRY;

    OperatorLifecycle(Operator operator, KubernetesClient client) {
        this.operator = operator;
        this.client = client;
    }

    void onStartup(@Observes StartupEvent event) {
        scheduler.execute(this::start);
    }

    /**
     * Stops the operator (its event processing first: no new reconcile starts, and those running
     * are interrupted, as in a shutdown) and starts it again, which lists every kind afresh and
     * joins the leader election as a follower. Called on the election's thread, so it only
     * schedules the work: stopping the operator shuts that thread's executor down.
     */
    void restartAsFollower() {
        if (stopping) {
            return;
        }
        scheduler.execute(() -> {
            synchronized (this) {
                if (stopping) {
                    return;
                }
                LOG.info("Stopping the operator's reconciles; a new one starts as a follower of the leader election");
                running = false;
                operator.stop();
                operator = renewed(operator);
            }
            start();
        });
    }

    /** After LeaderElection has noted the shutdown (priority 1), before the client is closed. */
    void onShutdown(@Observes @Priority(2) ShutdownEvent event) {
        stopping = true;
        // Interrupts a start waiting for informers, so that stopping takes seconds, not their sync timeout.
        scheduler.shutdownNow();
        synchronized (this) {
            running = false;
            operator.stop();
        }
    }

    /** Whether the operator has started and not been stopped since. */
    boolean running() {
        return running;
    }

    /** The operator's controllers, known once it first started; read without Java Operator SDK's locks. */
    @SuppressWarnings("rawtypes")
    Set<RegisteredController> controllers() {
        return controllers;
    }

    private synchronized void start() {
        if (stopping) {
            return;
        }
        String unreachable = unreachableBecause();
        if (unreachable != null) {
            LOG.warnf("The API server %s cannot be reached (%s); the operator starts once it answers, next try in %ds",
                    client.getConfiguration().getMasterUrl(), unreachable, nextRetry.toSeconds());
            scheduler.schedule(this::start, nextRetry.toMillis(), TimeUnit.MILLISECONDS);
            nextRetry = nextRetry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : nextRetry.multipliedBy(2);
            return;
        }
        nextRetry = FIRST_RETRY;
        try {
            operator.start();
            controllers = Set.copyOf(operator.getRegisteredControllers());
            running = true;
        } catch (RuntimeException e) {
            if (stopping) {
                return;
            }
            // The API server went away between the check and the start: Java Operator SDK leaves
            // the informers it started running and cannot be started again in this state.
            LOG.error("The operator could not start; exiting so that a new process starts cleanly", e);
            Quarkus.asyncExit(1);
        }
    }

    /** A new operator with the stopped one's configuration and its controllers' reconcilers and configurations. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static Operator renewed(Operator stopped) {
        Operator fresh = new Operator(stopped.getConfigurationService());
        for (RegisteredController registered : stopped.getRegisteredControllers()) {
            Controller controller = (Controller) registered;
            fresh.register(controller.getReconciler(), controller.getConfiguration());
        }
        return fresh;
    }

    /** Why the API server gave no HTTP answer, or null if it answered (even with an error status). */
    private String unreachableBecause() {
        try {
            client.getKubernetesVersion();
            return null;
        } catch (KubernetesClientException e) {
            if (e.getCode() > 0) {
                return null;
            }
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause.toString();
        }
    }
}
