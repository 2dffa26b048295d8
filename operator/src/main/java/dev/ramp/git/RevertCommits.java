package dev.ramp.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeFormatter;
import org.eclipse.jgit.merge.MergeResult;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * The Git side of a revert, on a bare repository: which file declares the target, which commits
 * since the promoted one changed it, and one commit on top of the branch head that gives that file
 * alone its promoted content again (an in-memory three-way merge of the file, so nothing is
 * checked out, other files are never touched, and a conflict is detected without being forced).
 */
public class RevertCommits {

    public static final String ROLLOUT_TRAILER = "Ramp-Rollout: ";
    public static final String REVISION_TRAILER = "Ramp-Failed-Revision: ";

    private final Repository repository;

    public RevertCommits(Repository repository) {
        this.repository = repository;
    }

    /** The file under {@code path} that declares the target ({@code kind} {@code name}), at {@code commit}, or null. */
    public String fileDeclaring(ObjectId commit, String path, String namespace, String kind, String name) throws IOException {
        for (Map.Entry<String, byte[]> file : ManifestReader.files(repository, commit, path).entrySet()) {
            try {
                for (Manifest m : ManifestReader.parse(file.getKey(), file.getValue())) {
                    if (kind.equals(m.kind()) && name.equals(m.name())
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

    /** A file's blob and mode in a commit, or null when the commit has no such file. */
    public FileVersion file(ObjectId commit, String file) throws IOException {
        try (RevWalk walk = new RevWalk(repository);
                TreeWalk tree = TreeWalk.forPath(repository, file, walk.parseCommit(commit).getTree())) {
            return tree == null ? null : new FileVersion(tree.getObjectId(0), tree.getFileMode(0));
        }
    }

    /** One version of a file: its content's blob and its mode. */
    public record FileVersion(ObjectId blob, FileMode mode) {
    }

    /**
     * Builds one commit on {@code head} that changes {@code file} alone, from its content at
     * {@code failed} back to {@code restore}'s, keeping what later commits on the branch changed in
     * other lines of it: a three-way merge of that one file (base: the failed version, ours: the
     * head's, theirs: the one to restore). Every other file stays as the head has it, so a revert
     * in a shared repository undoes nothing of another team's.
     */
    public Result revert(ObjectId head, ObjectId failed, FileVersion restore, String file, PersonIdent author,
            String message) throws IOException {
        FileVersion base = file(failed, file);
        FileVersion ours = file(head, file);
        if (base == null || ours == null) {
            // The file was deleted on the branch since: restoring it would undo that deletion.
            return new Result(null, List.of(file));
        }
        if (ours.blob().equals(restore.blob())) {
            return new Result(null, List.of());
        }
        try (RevWalk walk = new RevWalk(repository); ObjectReader reader = repository.newObjectReader();
                ObjectInserter inserter = repository.newObjectInserter()) {
            MergeResult<RawText> merged = new MergeAlgorithm().merge(RawTextComparator.DEFAULT, text(reader, base),
                    text(reader, ours), text(reader, restore));
            if (merged.containsConflicts()) {
                return new Result(null, List.of(file));
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            new MergeFormatter().formatMerge(content, merged, "failed", "head", "restored", StandardCharsets.UTF_8);
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content.toByteArray());
            ObjectId tree = withFile(reader, inserter, walk.parseCommit(head).getTree(), file, blob, ours.mode());
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

    private static RawText text(ObjectReader reader, FileVersion version) throws IOException {
        return new RawText(reader.open(version.blob(), Constants.OBJ_BLOB)
                .getCachedBytes((int) ManifestLimits.DEFAULT_FILE_BYTES));
    }

    /** {@code tree} with {@code file}'s entry replaced, built in memory (nothing is checked out). */
    private static ObjectId withFile(ObjectReader reader, ObjectInserter inserter, ObjectId tree, String file,
            ObjectId blob, FileMode mode) throws IOException {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, tree);
        builder.finish();
        DirCacheEditor editor = index.editor();
        editor.add(new DirCacheEditor.PathEdit(file) {
            @Override
            public void apply(DirCacheEntry entry) {
                entry.setFileMode(mode);
                entry.setObjectId(blob);
            }
        });
        editor.finish();
        return index.writeTree(inserter);
    }
}
