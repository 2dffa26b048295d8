package dev.ramp.git;

import dev.ramp.api.Durations;
import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceStatus;
import dev.ramp.api.SyncRequest;
import dev.ramp.kube.ApiErrors;
import dev.ramp.kube.Messages;
import dev.ramp.work.Observation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps the cluster in step with each GitSource's branch: one {@link GitSync} per interval, or at
 * once when a webhook asks, run off the reconcile thread in the namespace's share of the outside
 * threads ({@link SyncRuns}); the reconcile holds until it is done and then writes its status. A commit or Secret a user must fix is reported in conditions and not
 * retried in a loop. Anything else that stops a sync (Git or the API server unreachable, busy or
 * in conflict, or an exception nobody foresaw) leaves what was applied in place, says what failed
 * in the Ready condition and is tried again after 2 s, 4 s, 8 s … up to the interval (at most
 * 5 min), for as long as it takes. The count of failures in a row is kept in status, so the
 * backoff survives a restart.
 *
 * <p>A push webhook, received by any replica, records a sync request on the GitSource
 * ({@link SyncRequest}); the controller is woken by a new request as by a new spec (not by its
 * own status writes), syncs, and records the request as handled.
 */
@ControllerConfiguration(name = "gitsource", generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = SyncRequestAnnotation.class))
public class GitSourceReconciler implements Reconciler<GitSource> {

    private static final Logger LOG = Logger.getLogger(GitSourceReconciler.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    private static final Duration MAX_RETRY = Duration.ofMinutes(5);
    private static final Duration AGAIN = Duration.ofMillis(100);

    private final KubernetesClient client;
    private final SyncRuns sync;
    private final GitSourceConditions conditions;
    private final SyncRequests requests;

    public GitSourceReconciler(KubernetesClient client, SyncRuns sync, GitSourceConditions conditions,
            SyncRequests requests) {
        this.client = client;
        this.sync = sync;
        this.conditions = conditions;
        this.requests = requests;
    }

    @Override
    public List<EventSource<?, GitSource>> prepareEventSources(EventSourceContext<GitSource> context) {
        return List.of(requests.eventSource(context.getPrimaryCache()), sync.wakeups());
    }

    @Override
    public UpdateControl<GitSource> reconcile(GitSource cached, Context<GitSource> context) {
        forgetDeleted(context);
        GitSource source = client.resources(GitSource.class).inNamespace(cached.getMetadata().getNamespace())
                .withName(cached.getMetadata().getName()).get();
        if (source == null) {
            return UpdateControl.noUpdate();
        }
        GitSourceStatus status = statusOf(source);
        String before = Serialization.asJson(status);
        Duration next = interval(source);
        status.setLastHandledSyncRequest(SyncRequest.of(source));
        if (source.getSpec().isSuspend()) {
            conditions.suspended(source);
            status.setFailures(0);
            status.setObservedGeneration(source.getMetadata().getGeneration());
        } else {
            Observation<SyncRuns.Outcome> run = sync.run(source);
            if (run.pending()) {
                // The sync runs off this thread; its end wakes this GitSource. Nothing to write meanwhile.
                return UpdateControl.<GitSource>noUpdate().rescheduleAfter(run.lookAgain().orElseThrow());
            }
            GitSource ran = run.value().ran();
            source.setStatus(statusOf(ran));
            status = source.getStatus();
            Exception failure = run.value().failure();
            if (failure == null) {
                status.setFailures(0);
            } else if (failure instanceof GitSourceException e) {
                if (e.userFixable()) {
                    status.setFailures(0);
                    conditions.stalled(source, e.reason(), e.getMessage());
                } else {
                    next = retryLater(source, e.reason(), e.getMessage());
                }
            } else if (failure instanceof RuntimeException e) {
                throw e;
            } else {
                throw new IllegalStateException(failure);
            }
            // A push or a spec change that came while the sync ran on an older copy: sync again now.
            if (!Objects.equals(SyncRequest.of(ran), SyncRequest.of(source))
                    || !Objects.equals(ran.getMetadata().getGeneration(), source.getMetadata().getGeneration())) {
                next = AGAIN;
            }
        }
        UpdateControl<GitSource> control = Serialization.asJson(status).equals(before)
                ? UpdateControl.noUpdate() : UpdateControl.patchStatus(source);
        return control.rescheduleAfter(next);
    }

    /**
     * Whatever escaped {@link #reconcile}: the API server failing while the GitSource or its Secret
     * was read or its status written, or an exception nobody foresaw (a bug, a JGit runtime
     * exception). It is retried with the same backoff as Git being unreachable, never given up on,
     * and never taken for a verdict on a commit. JOSDK's own retry, with its attempt limit, is
     * not used.
     */
    @Override
    public ErrorStatusUpdateControl<GitSource> updateErrorStatus(GitSource source, Context<GitSource> context,
            Exception e) {
        statusOf(source);
        String reason = e instanceof KubernetesClientException k
                ? (ApiErrors.isTransient(k) ? GitSourceException.TRANSIENT_API_ERROR : "APIError") : "InternalError";
        String message = e instanceof KubernetesClientException k ? request(k) + ApiErrors.describe(k)
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (!(e instanceof KubernetesClientException)) {
            LOG.errorf(e, "gitsource %s/%s: unexpected failure", source.getMetadata().getNamespace(),
                    source.getMetadata().getName());
        }
        Duration next = retryLater(source, reason, message + where(e));
        return ErrorStatusUpdateControl.patchStatus(source).withNoRetry().rescheduleAfter(next);
    }

    /**
     * Deletions reach no reconcile (GitSources carry no finalizer): what is kept in memory for a
     * GitSource that is gone (its impersonating client, its lock) is let go on the next reconcile
     * of any other. Tests that call reconcile without JOSDK pass no context.
     */
    private void forgetDeleted(Context<GitSource> context) {
        if (context == null) {
            return;
        }
        sync.retainOnly(context.getPrimaryCache().list()
                .map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
                .collect(Collectors.toSet()));
    }

    /** Counts one more failure in a row, says so in Ready, and returns when to try again. */
    private Duration retryLater(GitSource source, String reason, String message) {
        GitSourceStatus status = source.getStatus();
        int failures = (status.getFailures() == null ? 0 : status.getFailures()) + 1;
        status.setFailures(failures);
        Duration next = backoff(failures, interval(source));
        conditions.unavailable(source, reason, message + " (attempt " + failures + ", next in "
                + next.toSeconds() + "s)");
        LOG.warnf("gitsource %s/%s: %s (attempt %d, next in %ds)", source.getMetadata().getNamespace(),
                source.getMetadata().getName(), Messages.bounded(message), failures, next.toSeconds());
        return next;
    }

    /** 2 s after the first failure, doubling after each next one, up to the interval and at most 5 min. */
    static Duration backoff(int failures, Duration interval) {
        Duration cap = interval.compareTo(MAX_RETRY) < 0 ? interval : MAX_RETRY;
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(failures, 1) - 1, 20));
        return delay.compareTo(cap) > 0 ? cap : delay;
    }

    private static Duration interval(GitSource source) {
        try {
            return Durations.parse(source.getSpec().getInterval());
        } catch (RuntimeException e) {
            return MAX_RETRY; // the CRD validates it; should one slip through, poll rarely rather than fail
        }
    }

    private static GitSourceStatus statusOf(GitSource source) {
        if (source.getStatus() == null) {
            source.setStatus(new GitSourceStatus());
        }
        return source.getStatus();
    }

    /** The object a failed API request was about, when the client knows it. */
    private static String request(KubernetesClientException e) {
        if (e.getFullResourceName() == null) {
            return "Kubernetes API: ";
        }
        return "Kubernetes API, " + e.getFullResourceName()
                + (e.getName() == null ? "" : " " + (e.getNamespace() == null ? "" : e.getNamespace() + "/") + e.getName())
                + ": ";
    }

    /** Where in Ramp an unforeseen exception was thrown, so its message names what failed. */
    private static String where(Exception e) {
        if (e instanceof KubernetesClientException) {
            return "";
        }
        return Arrays.stream(e.getStackTrace()).filter(f -> f.getClassName().startsWith("dev.ramp.")).findFirst()
                .map(f -> " (in " + f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "."
                        + f.getMethodName() + ")")
                .orElse("");
    }
}
