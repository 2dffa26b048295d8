package dev.ramp.git;

import dev.ramp.api.GitAuthor;
import dev.ramp.api.GitRevertReasons;
import dev.ramp.api.GitRevertSpec;
import dev.ramp.api.GitSource;
import dev.ramp.api.RollbackCause;
import dev.ramp.egress.Redaction;
import dev.ramp.api.Rollout;
import dev.ramp.api.RampLabels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.jboss.logging.Logger;

/**
 * Reverts a failed release in Git: the target's manifest file alone gets its content of the
 * Rollout's promoted commit again (other files, and other lines changed later, stay as they are),
 * in one commit authored as the GitSource's revertAuthor and
 * pushed to its branch (mode Push) or to {@code ramp/revert-<rollout>-<sha>} (mode Branch). A push
 * rejected because the branch moved is rebuilt on the new head, a bounded number of times. The
 * commit carries trailers naming the Rollout and revision, so a revert pushed just before the
 * operator died is found again rather than made twice.
 */
public class GitReverter implements ReleaseReverter {

    private static final Logger LOG = Logger.getLogger(GitReverter.class);
    private static final int PUSH_ATTEMPTS = 3;

    private final KubernetesClient client;
    private final GitMirror mirror;
    private final SyncRequests syncs;

    public GitReverter(KubernetesClient client, GitMirror mirror, SyncRequests syncs) {
        this.client = client;
        this.mirror = mirror;
        this.syncs = syncs;
    }

    @Override
    public Outcome revert(Request request) {
        Rollout rollout = request.rollout();
        String namespace = rollout.getMetadata().getNamespace();
        GitRevertSpec spec = rollout.getSpec().getGitRevert();
        GitSource source = client.resources(GitSource.class).inNamespace(namespace)
                .withName(spec.getSourceRef().getName()).get();
        if (source == null) {
            return Outcome.refused(GitRevertReasons.GIT_SOURCE_NOT_FOUND, "GitSource " + namespace + "/" + spec.getSourceRef().getName()
                    + " (spec.gitRevert.sourceRef) not found");
        }
        var annotations = request.target().getMetadata().getAnnotations();
        String failed = annotations == null ? null : annotations.get(RampLabels.COMMIT_ANNOTATION);
        if (failed == null) {
            return Outcome.refused(GitRevertReasons.NOT_FROM_GIT, request.kind() + " " + request.target().getMetadata().getName()
                    + " has no " + RampLabels.COMMIT_ANNOTATION + " annotation: it was not applied by a GitSource");
        }
        try (GitCredentials credentials = GitCredentials.of(client, source)) {
            Outcome outcome = mirror.with(source, repository -> revert(repository, source, credentials, request, failed));
            if (outcome.reverted() && spec.getMode() == GitRevertSpec.Mode.Push) {
                syncs.request(namespace, source.getMetadata().getName());
            }
            return outcome;
        } catch (GitSourceException e) {
            return e.userFixable() ? Outcome.refused(e.reason(), e.getMessage()) : Outcome.later(e.reason(), e.getMessage());
        }
    }

    private Outcome revert(Repository repository, GitSource source, GitCredentials credentials, Request request,
            String failedSha) throws GitSourceException, IOException {
        Rollout rollout = request.rollout();
        String key = rollout.getMetadata().getNamespace() + "/" + rollout.getMetadata().getName();
        boolean push = rollout.getSpec().getGitRevert().getMode() == GitRevertSpec.Mode.Push;
        String branch = push ? source.getSpec().getBranch()
                : "ramp/revert-" + rollout.getMetadata().getName() + "-" + failedSha.substring(0, 7);
        RevertCommits git = new RevertCommits(repository);
        for (int attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
            ObjectId head = mirror.fetch(repository, source, credentials);
            ObjectId failed = ObjectId.fromString(failedSha);
            if (!repository.getObjectDatabase().has(failed)) {
                return Outcome.refused(GitRevertReasons.COMMIT_NOT_FOUND, "commit " + failedSha + " is not on branch "
                        + source.getSpec().getBranch() + " of " + Redaction.url(source.getSpec().getUrl()));
            }
            RevCommit existing = git.existingRevert(head, failed, key, request.revision());
            if (existing != null) {
                return Outcome.done(GitRevertReasons.REVERTED, "reverted in commit " + existing.name() + " on " + source.getSpec().getBranch(),
                        existing.name());
            }
            String file = git.fileDeclaring(failed, source.getSpec().getPath(), rollout.getMetadata().getNamespace(),
                    request.kind(), request.target().getMetadata().getName());
            if (file == null) {
                return Outcome.refused(GitRevertReasons.NOTHING_TO_REVERT, "no file under " + source.getSpec().getPath() + " declares " + request.kind() + " "
                        + request.target().getMetadata().getName() + " at commit " + failedSha.substring(0, 12));
            }
            String promotedSha = rollout.getStatus().getLastPromotedCommit();
            ObjectId promoted = promotedSha == null ? null : ObjectId.fromString(promotedSha);
            if (promoted != null && !repository.getObjectDatabase().has(promoted)
                    && !(mirror.deepen(repository, source, credentials) && repository.getObjectDatabase().has(promoted))) {
                return Outcome.refused(GitRevertReasons.PROMOTED_COMMIT_NOT_FOUND, "the promoted commit " + shortSha(promotedSha)
                        + " (status.lastPromotedCommit) is not in the history of branch " + source.getSpec().getBranch()
                        + " of " + Redaction.url(source.getSpec().getUrl()) + ", even fetched "
                        + GitMirror.DEEPEN_FACTOR + " times deeper (force-pushed away, or older than the fetch depth):"
                        + " what to restore in " + file + " is unknown; nothing was pushed and the cluster stays on the"
                        + " stable version");
            }
            List<RevCommit> commits = git.changes(promoted, failed, file);
            if (commits.isEmpty()) {
                return Outcome.refused(GitRevertReasons.NOTHING_TO_REVERT, "no commit since " + shortSha(promotedSha)
                        + " changed " + file);
            }
            RevertCommits.FileVersion restore = restored(git, promoted, commits.get(commits.size() - 1), file);
            if (restore == null) {
                return Outcome.refused(GitRevertReasons.PROMOTED_FILE_NOT_FOUND, file + " did not exist at "
                        + (promoted == null ? "the parent of " + shas(commits) : "the promoted commit " + shortSha(promotedSha))
                        + ": Ramp does not delete the file that declares the target; nothing was pushed and the cluster"
                        + " stays on the stable version");
            }
            RevertCommits.Result result = git.revert(head, failed, restore, file, author(source),
                    message(request, commits, file));
            if (result.conflicting()) {
                return Outcome.refused(GitRevertReasons.REVERT_CONFLICT, "reverting " + shas(commits)
                        + " conflicts with later changes on " + source.getSpec().getBranch() + " in "
                        + String.join(", ", result.conflicts())
                        + "; nothing was pushed and the cluster stays on the stable version");
            }
            if (result.empty()) {
                return Outcome.refused(GitRevertReasons.NOTHING_TO_REVERT, "branch " + source.getSpec().getBranch()
                        + " already declares the promoted version of " + file);
            }
            if (pushed(repository, source, credentials, result.commit(), branch, !push, head)) {
                LOG.infof("rollout %s: reverted %s in %s, pushed to %s", key, shas(commits), result.commit().name(), branch);
                return Outcome.done(push ? GitRevertReasons.REVERTED : GitRevertReasons.REVERT_BRANCH_PUSHED, "reverted " + shas(commits) + " in commit "
                        + result.commit().name() + (push ? " on " : ", pushed to branch ") + branch, result.commit().name());
            }
            LOG.infof("rollout %s: branch %s moved while reverting (attempt %d); retrying on its new head", key, branch, attempt);
        }
        return Outcome.later(GitRevertReasons.PUSH_REJECTED, "branch " + branch + " kept moving; the revert was rebuilt "
                + PUSH_ATTEMPTS + " times and is retried later");
    }

    /**
     * The version of {@code file} to restore: the promoted commit's, or without one, the version
     * before the oldest change to undo; null when that commit lacks the file or its parent is
     * not known (a root commit, or the edge of a shallow fetch).
     */
    private static RevertCommits.FileVersion restored(RevertCommits git, ObjectId promoted, RevCommit oldestChange,
            String file) throws IOException {
        if (promoted != null) {
            return git.file(promoted, file);
        }
        return oldestChange.getParentCount() == 0 ? null : git.file(oldestChange.getParent(0), file);
    }

    /**
     * Pushes; false when the branch moved since {@code base}. Servers report that either as a
     * non-fast-forward or, when it moves mid-push, as a failed ref update: a fresh fetch tells.
     */
    private boolean pushed(Repository repository, GitSource source, GitCredentials credentials, ObjectId commit,
            String branch, boolean force, ObjectId base) throws GitSourceException {
        try {
            return mirror.push(repository, source, credentials, commit, branch, force);
        } catch (GitSourceException e) {
            if (!force && !base.equals(mirror.fetch(repository, source, credentials))) {
                return false;
            }
            throw e;
        }
    }

    static String message(Request request, List<RevCommit> commits, String file) {
        Rollout rollout = request.rollout();
        String key = rollout.getMetadata().getNamespace() + "/" + rollout.getMetadata().getName();
        StringBuilder text = new StringBuilder()
                .append("Revert ").append(request.target().getMetadata().getName()).append(": Rollout ").append(key)
                .append(" failed\n\n")
                .append("Ramp rolled back revision ").append(request.revision()).append(" of ").append(request.kind()).append(" ")
                .append(request.target().getMetadata().getName()).append(":\n")
                .append(why(request.cause())).append("\n\n")
                .append("Reverted, so that Git declares the version that runs again (").append(file).append("):\n");
        for (RevCommit commit : commits) {
            text.append("  ").append(commit.abbreviate(12).name()).append(' ').append(commit.getShortMessage()).append('\n');
        }
        return text.append('\n')
                .append(RevertCommits.ROLLOUT_TRAILER).append(key).append('\n')
                .append(RevertCommits.REVISION_TRAILER).append(request.revision()).append('\n')
                .toString();
    }

    /**
     * Causes whose message Ramp writes itself, without a hook's or provider's answer in it.
     * Not ProgressDeadlineExceeded: its message may quote what the kubelet or scheduler said of
     * the canary's Pods, which a commit must not carry.
     */
    private static final Set<String> OWN_MESSAGES = RollbackCause.OWN_MESSAGES;

    /**
     * Why the release failed, from the cause's fields: the metric, its value and the bound it
     * broke; otherwise the reason, with the message only where Ramp wrote all of it. A check's
     * summary may quote a provider's error text, and a hook's answer is the hook's: a commit,
     * which lives forever in Git, gets neither.
     */
    static String why(RollbackCause cause) {
        if (cause == null) {
            return "the release failed";
        }
        List<String> lines = new ArrayList<>();
        if (cause.getMetric() != null && cause.getValue() != null) {
            String value = number(cause.getValue());
            String bound = cause.getMin() != null && cause.getValue() < cause.getMin() ? "below the minimum " + number(cause.getMin())
                    : cause.getMax() != null && cause.getValue() > cause.getMax() ? "above the maximum " + number(cause.getMax())
                    : "out of range";
            lines.add(cause.getMetric() + " was " + value + ", " + bound);
        }
        // The judge's comparisons are Ramp's own numbers, rendered as status and the CLI show them.
        if (cause.getComparisons() != null) {
            cause.getComparisons().stream().filter(m -> m.getComparison() != null)
                    .forEach(m -> lines.add(m.getComparison().describe(m.getName())));
        }
        if (!lines.isEmpty()) {
            return cause.getReason() + (lines.size() == 1 ? ": " + lines.get(0) : ":\n  " + String.join("\n  ", lines));
        }
        if (cause.getMessage() != null && OWN_MESSAGES.contains(cause.getReason())) {
            return cause.getReason() + ": " + cause.getMessage();
        }
        return String.valueOf(cause.getReason());
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf((long) v) : String.format("%.3f", v);
    }

    private static PersonIdent author(GitSource source) {
        GitAuthor author = source.getSpec().getRevertAuthor();
        return author == null ? new PersonIdent("Ramp", "ramp@localhost") : new PersonIdent(author.getName(), author.getEmail());
    }

    private static String shas(List<RevCommit> commits) {
        return commits.stream().map(c -> c.abbreviate(12).name()).collect(Collectors.joining(", "));
    }

    private static String shortSha(String sha) {
        return sha == null ? "the promoted commit" : sha.substring(0, Math.min(12, sha.length()));
    }
}
