package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceStatus;
import dev.ramp.kube.Conditions;
import dev.ramp.kube.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.ArrayList;
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
 * <p>
 * Everything that writes or reads the GitSource's objects runs as its {@link ApplyIdentity}
 * ({@link SyncIdentities}); objects Ramp generates for a Rollout are skipped and said so.
 */
public class GitSync {

    private static final Logger LOG = Logger.getLogger(GitSync.class);
    public static final String READY = "Ready";
    public static final String STALLED = "Stalled";
    public static final String DRIFTED = "Drifted";

    private final GitMirror mirror;
    private final SyncIdentities identities;
    private final ManifestReader reader;
    private final GitSourceConditions conditions;
    private final EventRecorder events;

    public GitSync(GitMirror mirror, SyncIdentities identities, ManifestReader reader, Conditions conditions,
            EventRecorder events) {
        this.mirror = mirror;
        this.identities = identities;
        this.reader = reader;
        this.conditions = new GitSourceConditions(conditions);
        this.events = events;
    }

    /**
     * Forgets what is kept in memory for GitSources that are gone (impersonating clients, locks);
     * {@code live} holds {@code namespace/name} of those that remain.
     */
    public void retainOnly(Set<String> live) {
        identities.retainOnly(live);
        mirror.retainOnly(live);
    }

    /**
     * Runs one sync. A GitSourceException means the sync did not finish: the branch could not be
     * read, or a failure of the moment ({@code userFixable() == false}) stopped it.
     */
    public void run(GitSource source, GitCredentials credentials) throws GitSourceException {
        ManifestApplier applier = new ManifestApplier(identities.ramp(), identities.of(source), Ownership.of(source));
        mirror.with(source, repository -> {
            ObjectId head = mirror.fetch(repository, source, credentials);
            GitSourceStatus status = source.getStatus();
            boolean specChanged = !Objects.equals(status.getObservedGeneration(), source.getMetadata().getGeneration());
            boolean refusedBefore = head.name().equals(status.getLastAttemptedCommit())
                    && Conditions.isTrue(status.getConditions(), STALLED);
            if (specChanged || (!head.name().equals(status.getLastAppliedCommit()) && !refusedBefore)) {
                try {
                    apply(applier, repository, source, head);
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
                heal(applier, source, desired(applier, repository, source,
                        ObjectId.fromString(status.getLastAppliedCommit())));
            }
            return null;
        });
    }

    private List<DesiredObject> desired(ManifestApplier applier, Repository repository, GitSource source, ObjectId commit)
            throws GitSourceException, IOException {
        List<Manifest> manifests = reader.read(repository, commit, source.getSpec().getPath());
        return applier.prepare(manifests, source.getMetadata().getNamespace(), commit.name());
    }

    /** Records that this commit was judged (applied or refused) under the current spec. */
    private static void attempted(GitSource source, ObjectId head) {
        source.getStatus().setLastAttemptedCommit(head.name());
        source.getStatus().setObservedGeneration(source.getMetadata().getGeneration());
    }

    private void apply(ManifestApplier applier, Repository repository, GitSource source, ObjectId head)
            throws GitSourceException, IOException {
        List<DesiredObject> desired = new ArrayList<>(desired(applier, repository, source, head));
        List<ManifestApplier.Skipped> skipped = applier.generatedByRamp(desired);
        skipped.forEach(s -> desired.remove(s.object()));
        applier.validate(desired);
        for (DesiredObject d : desired) {
            applier.apply(d);
        }
        GitSourceStatus status = source.getStatus();
        Set<String> inventory = desired.stream().map(DesiredObject::id).collect(Collectors.toCollection(TreeSet::new));
        ManifestApplier.Pruned pruned = source.getSpec().isPrune() ? applier.prune(status.getInventory(), inventory)
                : new ManifestApplier.Pruned(List.of(), List.of());
        boolean newCommit = !head.name().equals(status.getLastAppliedCommit());
        attempted(source, head);
        status.setLastAppliedCommit(head.name());
        status.setInventory(List.copyOf(inventory));
        String message = "applied commit " + head.name().substring(0, 12) + ": " + desired.size() + " objects"
                + (pruned.deleted().isEmpty() ? "" : ", pruned " + pruned.deleted().size())
                + (skipped.isEmpty() ? "" : "; " + skipped.stream().map(ManifestApplier.Skipped::describe)
                        .collect(Collectors.joining("; ")) + " (a Rollout keeps it)")
                + (pruned.leftAlone().isEmpty() ? "" : "; left Git but not pruned, this GitSource does not own it: "
                        + String.join(", ", pruned.leftAlone()));
        conditions.applied(source, message);
        if (newCommit) {
            LOG.infof("gitsource %s/%s: %s%s", source.getMetadata().getNamespace(), source.getMetadata().getName(),
                    message, pruned.deleted().isEmpty() ? "" : " " + pruned.deleted());
            events.normal(source, "Synced", message + (pruned.deleted().isEmpty() ? ""
                    : " (" + String.join(", ", pruned.deleted()) + ")"));
            for (ManifestApplier.Skipped s : skipped) {
                events.normal(source, "GeneratedSkipped", s.describe());
            }
            for (String entry : pruned.leftAlone()) {
                events.warning(source, "PruneSkipped", entry + " left Git but was not deleted: this GitSource does not"
                        + " own it");
            }
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

    private void heal(ManifestApplier applier, GitSource source, List<DesiredObject> desired)
            throws GitSourceException {
        List<DriftDetector.Drift> drifts;
        try {
            drifts = new DriftDetector(applier).detect(desired);
        } catch (KubernetesClientException e) {
            throw GitSourceException.fromApi("DriftCheckFailed", "reading the applied objects to look for drift", e,
                    applier.identity().describe());
        }
        if (drifts.isEmpty()) {
            conditions.noDrift(source);
            return;
        }
        String found = drifts.stream().map(DriftDetector.Drift::describe).collect(Collectors.joining("; "));
        List<DriftDetector.Drift> healable = drifts.stream().filter(DriftDetector.Drift::healable).toList();
        boolean heal = source.getSpec().isSelfHeal() && !healable.isEmpty();
        if (heal) {
            for (DriftDetector.Drift d : healable) {
                applier.apply(d.object());
            }
        }
        String message = (heal ? "restored from Git: " : healable.isEmpty() ? "not owned by this GitSource: "
                : "differs from Git (selfHeal is off): ") + found;
        String reason = heal ? "SelfHealed" : healable.isEmpty() ? "NotOwned" : "DriftDetected";
        boolean news = conditions.drifted(source, reason, message);
        if (heal || news) {
            LOG.warnf("gitsource %s/%s: %s", source.getMetadata().getNamespace(), source.getMetadata().getName(), message);
            for (DriftDetector.Drift d : drifts) {
                events.warning(source, "Drifted", d.describe() + (heal && d.healable() ? "; restored from commit "
                        + source.getStatus().getLastAppliedCommit().substring(0, 12) : ""));
            }
        }
    }
}
