package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.work.Answers;
import dev.ramp.work.Observation;
import dev.ramp.work.OutsideWork;
import dev.ramp.work.Question;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;

/**
 * Runs each GitSource's {@link GitSync} (fetch, apply, prune, heal) on {@link OutsideWork}, in its
 * namespace's share, never on a reconcile thread: a remote that answers slowly delays only its
 * own namespace's syncs. The reconcile asks, holds while the sync runs, and is woken
 * ({@link #wakeups()}) when it is done; it then writes the status the sync left on its copy of
 * the GitSource. One sync of a GitSource runs at a time, and each outcome is handed out once.
 */
public class SyncRuns {

    /** A sync still running is looked at again after this at the latest; its end normally wakes the GitSource sooner. */
    static final Duration LOOK_AGAIN = Duration.ofMinutes(2);

    /** The sync of one GitSource (by uid: a GitSource deleted and created again is another). */
    record SyncQuestion(String namespace, String name, String uid) implements Question {

        @Override
        public Object subject() {
            return this;
        }
    }

    /**
     * What one sync left: the GitSource it ran on (its status as the sync wrote it) and why it
     * stopped, if it did: a {@link GitSourceException}, or any other exception, which the reconcile
     * rethrows as if the sync had run on its thread.
     */
    public record Outcome(GitSource ran, Exception failure) {
    }

    private final SimpleInboundEventSource<GitSource> wakeups = new SimpleInboundEventSource<>("git-sync-runs");
    private final KubernetesClient client;
    private final GitSync sync;
    private final Answers<SyncQuestion, Outcome> outcomes;

    public SyncRuns(KubernetesClient client, GitSync sync, OutsideWork work, Clock clock) {
        this.client = client;
        this.sync = sync;
        this.outcomes = new Answers<>(work, clock, this::wake);
    }

    /** Wakes a GitSource whose sync is done; registered with the GitSource controller. */
    SimpleInboundEventSource<GitSource> wakeups() {
        return wakeups;
    }

    /**
     * The outcome of a sync of {@code source}: started on a copy of it the first time, pending
     * while it runs, then handed out once. A sync its namespace has no room for ends at once
     * with a failure of the moment, retried with backoff.
     */
    public Observation<Outcome> run(GitSource source) {
        GitSource copy = Serialization.clone(source);
        SyncQuestion question = new SyncQuestion(source.getMetadata().getNamespace(), source.getMetadata().getName(),
                source.getMetadata().getUid());
        return outcomes.ask(question, Duration.ZERO, LOOK_AGAIN, () -> once(copy),
                why -> new Outcome(copy, new GitSourceException("SyncNotRun", "sync " + why, false)));
    }

    /** One sync, on the outside threads; whatever stops it is its outcome, not a thrown exception. */
    private Outcome once(GitSource source) {
        try (GitCredentials credentials = GitCredentials.of(client, source)) {
            sync.run(source, credentials);
            return new Outcome(source, null);
        } catch (Exception e) {
            return new Outcome(source, e);
        }
    }

    /** Forgets what is kept in memory for GitSources that are gone ({@code namespace/name} of those that remain). */
    public void retainOnly(java.util.Set<String> live) {
        sync.retainOnly(live);
    }

    private void wake(SyncQuestion question) {
        if (wakeups.isRunning()) {
            wakeups.propagateEvent(new ResourceID(question.name(), question.namespace()));
        }
    }
}
