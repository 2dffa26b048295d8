package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.jboss.logging.Logger;

/**
 * One sync of a GitSource, written into its status: fetch the branch; if its head is new,
 * validate the whole commit and apply it, then prune; otherwise look for drift against the
 * applied commit and, with selfHeal, undo it. A commit refused once is not re-applied (nor
 * re-reported) until the branch or the GitSource changes. A failure of the moment (Git or the API
 * server unreachable, busy or in conflict) is no verdict on the commit: it leaves
 * lastAttemptedCommit and observedGeneration as they were, so the next try applies it again.
 */
public class GitSync {

    private static final Logger LOG = Logger.getLogger(GitSync.class);
    public static final String READY = "Ready";
    public static final String STALLED = "Stalled";
    public static final String DRIFTED = "Drifted";

    private final GitMirror mirror;
    private final ManifestReader reader = new ManifestReader();
    private final ManifestApplier applier;
    private final DriftDetector drift;
    private final GitSourceConditions conditions;
    private final EventRecorder events;

    public GitSync(GitMirror mirror, ManifestApplier applier, Conditions conditions, EventRecorder events) {
        this.mirror = mirror;
        this.applier = applier;
        this.drift = new DriftDetector(applier);
        this.conditions = new GitSourceConditions(conditions);
        this.events = events;
    }

    /**
     * Runs one sync. A GitSourceException means the sync did not finish: the branch could not be
     * read, or a failure of the moment ({@code userFixable() == false}) stopped it.
     */
    public void run(GitSource source, GitCredentials credentials) throws GitSourceException {
        mirror.with(source, repository -> {
            ObjectId head = mirror.fetch(repository, source, credentials);
            GitSourceStatus status = source.getStatus();
            boolean specChanged = !Objects.equals(status.getObservedGeneration(), source.getMetadata().getGeneration());
            boolean refusedBefore = head.name().equals(status.getLastAttemptedCommit())
                    && Conditions.isTrue(status.getConditions(), STALLED);
            if (specChanged || (!head.name().equals(status.getLastAppliedCommit()) && !refusedBefore)) {
                try {
                    apply(repository, source, head);
                    return null;
                } catch (GitSourceException e) {
                    if (!e.userFixable()) {
                        throw new GitSourceException(e.reason(), "commit " + head.name().substring(0, 12)
                                + " not applied yet: " + e.getMessage(), false, e);
                    }
                    refused(source, head, e);
                }
            }
            if (status.getLastAppliedCommit() != null) {
                heal(source, desired(repository, source, ObjectId.fromString(status.getLastAppliedCommit())));
            }
            return null;
        });
    }

    private List<DesiredObject> desired(Repository repository, GitSource source, ObjectId commit)
            throws GitSourceException, IOException {
        List<Manifest> manifests = reader.read(repository, commit, source.getSpec().getPath());
        return applier.prepare(manifests, source.getMetadata().getNamespace(), commit.name());
    }

    /** Records that this commit was judged (applied or refused) under the current spec. */
    private static void attempted(GitSource source, ObjectId head) {
        source.getStatus().setLastAttemptedCommit(head.name());
        source.getStatus().setObservedGeneration(source.getMetadata().getGeneration());
    }

    private void apply(Repository repository, GitSource source, ObjectId head) throws GitSourceException, IOException {
        List<DesiredObject> desired = desired(repository, source, head);
        applier.validate(desired);
        for (DesiredObject d : desired) {
            applier.apply(d);
        }
        GitSourceStatus status = source.getStatus();
        Set<String> inventory = desired.stream().map(DesiredObject::id).collect(Collectors.toCollection(TreeSet::new));
        List<String> pruned = source.getSpec().isPrune() ? applier.prune(status.getInventory(), inventory) : List.of();
        boolean newCommit = !head.name().equals(status.getLastAppliedCommit());
        attempted(source, head);
        status.setLastAppliedCommit(head.name());
        status.setInventory(List.copyOf(inventory));
        String message = "applied commit " + head.name().substring(0, 12) + ": " + desired.size() + " objects"
                + (pruned.isEmpty() ? "" : ", pruned " + pruned.size());
        conditions.applied(source, message);
        if (newCommit) {
            LOG.infof("gitsource %s/%s: %s%s", source.getMetadata().getNamespace(), source.getMetadata().getName(),
                    message, pruned.isEmpty() ? "" : " " + pruned);
            events.normal(source, "Synced", message + (pruned.isEmpty() ? "" : " (" + String.join(", ", pruned) + ")"));
        }
    }

    private void refused(GitSource source, ObjectId head, GitSourceException e) {
        attempted(source, head);
        String message = "commit " + head.name().substring(0, 12) + (ManifestApplier.APPLY_FAILED.equals(e.reason())
                ? " not applied whole (the objects before the refused one were): "
                : " not applied, nothing of it was: ") + e.getMessage();
        LOG.warnf("gitsource %s/%s: %s", source.getMetadata().getNamespace(), source.getMetadata().getName(), message);
        events.warning(source, e.reason(), message);
        conditions.stalled(source, e.reason(), message);
    }

    private void heal(GitSource source, List<DesiredObject> desired) throws GitSourceException {
        List<DriftDetector.Drift> drifts;
        try {
            drifts = drift.detect(desired);
        } catch (KubernetesClientException e) {
            throw GitSourceException.fromApi("DriftCheckFailed", "reading the applied objects to look for drift", e);
        }
        if (drifts.isEmpty()) {
            conditions.noDrift(source);
            return;
        }
        String found = drifts.stream().map(DriftDetector.Drift::describe).collect(Collectors.joining("; "));
        boolean heal = source.getSpec().isSelfHeal();
        if (heal) {
            for (DriftDetector.Drift d : drifts) {
                applier.apply(d.object());
            }
        }
        String message = (heal ? "restored from Git: " : "differs from Git (selfHeal is off): ") + found;
        boolean news = conditions.drifted(source, heal ? "SelfHealed" : "DriftDetected", message);
        if (heal || news) {
            LOG.warnf("gitsource %s/%s: %s", source.getMetadata().getNamespace(), source.getMetadata().getName(), message);
            for (DriftDetector.Drift d : drifts) {
                events.warning(source, "Drifted", d.describe() + (heal ? "; restored from commit "
                        + source.getStatus().getLastAppliedCommit().substring(0, 12) : ""));
            }
        }
    }
}
