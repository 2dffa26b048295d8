package dev.ramp.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * The Git side of a revert, on a bare repository: which file declares the target, which commits
 * since the promoted one changed it, and one commit on top of the branch head that undoes them
 * (built with an in-memory three-way merge, so nothing is checked out and a conflict is detected
 * without being forced).
 */
public class RevertCommits {

    public static final String ROLLOUT_TRAILER = "Ramp-Rollout: ";
    public static final String REVISION_TRAILER = "Ramp-Failed-Revision: ";

    private final Repository repository;

    public RevertCommits(Repository repository) {
        this.repository = repository;
    }

    /** The file under {@code path} that declares the Deployment, at {@code commit}, or null. */
    public String fileDeclaring(ObjectId commit, String path, String namespace, String deployment) throws IOException {
        for (Map.Entry<String, byte[]> file : ManifestReader.files(repository, commit, path).entrySet()) {
            try {
                for (Manifest m : ManifestReader.parse(file.getKey(), file.getValue())) {
                    if ("Deployment".equals(m.kind()) && deployment.equals(m.name())
                            && (m.namespace() == null || m.namespace().equals(namespace))) {
                        return file.getKey();
                    }
                }
            } catch (GitSourceException e) {
                // An unreadable file cannot be the one that declares the running target.
            }
        }
        return null;
    }

    /**
     * Commits reachable from {@code failed} but not from {@code promoted} that changed {@code file},
     * newest first. Without a promoted commit, only the last commit that changed the file.
     */
    public List<RevCommit> changes(ObjectId promoted, ObjectId failed, String file) throws IOException {
        List<RevCommit> commits = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repository)) {
            walk.markStart(walk.parseCommit(failed));
            if (promoted != null && repository.getObjectDatabase().has(promoted)) {
                walk.markUninteresting(walk.parseCommit(promoted));
            }
            walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(file), TreeFilter.ANY_DIFF));
            walk.setRevFilter(RevFilter.NO_MERGES);
            for (RevCommit commit : walk) {
                commits.add(commit);
                if (promoted == null) {
                    break;
                }
            }
        }
        return commits;
    }

    /** A revert commit Ramp already made for this failure, between {@code failed} and {@code head}, or null. */
    public RevCommit existingRevert(ObjectId head, ObjectId failed, String rollout, String revision) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            walk.markStart(walk.parseCommit(head));
            walk.markUninteresting(walk.parseCommit(failed));
            for (RevCommit commit : walk) {
                String message = commit.getFullMessage();
                if (message.contains(ROLLOUT_TRAILER + rollout + "\n") && message.contains(REVISION_TRAILER + revision)) {
                    return commit;
                }
            }
        }
        return null;
    }

    /** The outcome of building a revert: its commit, or the paths that conflict, or nothing to change. */
    public record Result(ObjectId commit, List<String> conflicts) {

        public boolean conflicting() {
            return !conflicts.isEmpty();
        }

        public boolean empty() {
            return commit == null && conflicts.isEmpty();
        }
    }

    /** Builds one commit on {@code head} that undoes {@code commits} (newest first). */
    public Result revert(ObjectId head, List<RevCommit> commits, PersonIdent author, String message) throws IOException {
        try (RevWalk walk = new RevWalk(repository); ObjectInserter inserter = repository.newObjectInserter()) {
            RevCommit headCommit = walk.parseCommit(head);
            ObjectId tree = headCommit.getTree();
            for (RevCommit commit : commits) {
                RevCommit parent = walk.parseCommit(commit.getParent(0));
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RESOLVE.newMerger(repository, true);
                merger.setBase(commit.getTree());
                if (!merger.merge(tree, parent.getTree())) {
                    List<String> conflicts = new ArrayList<>(merger.getUnmergedPaths());
                    if (merger.getFailingPaths() != null) {
                        conflicts.addAll(merger.getFailingPaths().keySet());
                    }
                    return new Result(null, conflicts.isEmpty() ? List.of("(unknown path)") : conflicts);
                }
                tree = merger.getResultTreeId();
            }
            if (tree.equals(headCommit.getTree())) {
                return new Result(null, List.of());
            }
            CommitBuilder builder = new CommitBuilder();
            builder.setTreeId(tree);
            builder.setParentId(head);
            builder.setAuthor(author);
            builder.setCommitter(author);
            builder.setMessage(message);
            ObjectId commit = inserter.insert(builder);
            inserter.flush();
            return new Result(commit, List.of());
        }
    }
}
