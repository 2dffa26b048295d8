package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceStatus;
import dev.ramp.rollout.Durations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps the cluster in step with each GitSource's branch: one {@link GitSync} per interval, or at
 * once when a webhook asks. Git being unreachable is retried with backoff (what was applied stays
 * applied); a commit or Secret a user must fix is reported in conditions and not retried in a loop.
 */
@ControllerConfiguration(name = "gitsource")
public class GitSourceReconciler implements Reconciler<GitSource> {

    private static final Logger LOG = Logger.getLogger(GitSourceReconciler.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final GitSync sync;
    private final GitSourceConditions conditions;
    private final SyncRequests requests;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    public GitSourceReconciler(KubernetesClient client, GitSync sync, GitSourceConditions conditions,
            SyncRequests requests) {
        this.client = client;
        this.sync = sync;
        this.conditions = conditions;
        this.requests = requests;
    }

    @Override
    public List<EventSource<?, GitSource>> prepareEventSources(EventSourceContext<GitSource> context) {
        return List.of(requests.eventSource());
    }

    @Override
    public UpdateControl<GitSource> reconcile(GitSource cached, Context<GitSource> context) {
        GitSource source = client.resources(GitSource.class).inNamespace(cached.getMetadata().getNamespace())
                .withName(cached.getMetadata().getName()).get();
        if (source == null) {
            return UpdateControl.noUpdate();
        }
        if (source.getStatus() == null) {
            source.setStatus(new GitSourceStatus());
        }
        String before = Serialization.asJson(source.getStatus());
        String key = source.getMetadata().getNamespace() + "/" + source.getMetadata().getName();
        Duration interval = Durations.parse(source.getSpec().getInterval());
        Duration next = interval;
        if (source.getSpec().isSuspend()) {
            conditions.suspended(source);
        } else {
            try (GitCredentials credentials = GitCredentials.of(client, source)) {
                sync.run(source, credentials);
                failures.remove(key);
            } catch (GitSourceException e) {
                if (e.userFixable()) {
                    conditions.stalled(source, e.reason(), e.getMessage());
                } else {
                    int failed = failures.merge(key, 1, Integer::sum);
                    next = backoff(failed, interval);
                    conditions.unavailable(source, e.reason(), e.getMessage() + " (attempt " + failed
                            + ", next in " + next.toSeconds() + "s)");
                    LOG.warnf("gitsource %s: %s", key, e.getMessage());
                }
            }
        }
        source.getStatus().setObservedGeneration(source.getMetadata().getGeneration());
        UpdateControl<GitSource> control = Serialization.asJson(source.getStatus()).equals(before)
                ? UpdateControl.noUpdate() : UpdateControl.patchStatus(source);
        return control.rescheduleAfter(next);
    }

    static Duration backoff(int failures, Duration interval) {
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 10));
        return delay.compareTo(interval) > 0 ? interval : delay;
    }
}
