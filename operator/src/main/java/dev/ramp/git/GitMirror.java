package dev.ramp.git;

import dev.ramp.api.GitSource;
import dev.ramp.api.GitSourceReasons;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.Redaction;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

/**
 * A bare local copy of each GitSource's repository: fetched before a sync, read by commit, and
 * the place where reverts are built before they are pushed. It is a cache: deleting it loses
 * nothing, since status records which commits were applied. One GitSource's copy is used by one
 * thread at a time (the sync and a Rollout's revert may otherwise race on its refs).
 * <p>
 * Fetches are shallow when a depth is set (the last {@code depth} commits of the branch), which
 * bounds what a repository with a long or heavy history costs; a revert needs the commits since the
 * last promoted one, so the depth must reach back that far.
 */
public class GitMirror {

    /** The most characters of a Git server's or JGit's error text kept in a message. */
    static final int MAX_REMOTE_MESSAGE = 512;

    /** The default depth of a fetch: deep enough for the reverts of any recent release. */
    public static final int DEFAULT_DEPTH = 100;

    /** How many times deeper than {@link #DEFAULT_DEPTH} (or the configured depth) a revert fetches once, at most. */
    public static final int DEEPEN_FACTOR = 10;

    private final Path root;
    private final int depth;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final GitTransfers transfers;

    /** As below, with the default {@link TransferLimits}. */
    public GitMirror(Path root, int depth, EgressPolicy egress) {
        this(root, depth, new GitTransfers(egress, TransferLimits.DEFAULT));
    }

    /**
     * A mirror that fetches from and pushes to only the remotes the operator's egress policy allows,
     * each transfer within its limits.
     *
     * @param depth how many commits of the branch a fetch takes; 0 for its whole history
     */
    public GitMirror(Path root, int depth, GitTransfers transfers) {
        if (depth < 0) {
            throw new IllegalArgumentException("fetch depth must be 0 (whole history) or more: " + depth);
        }
        this.root = root;
        this.depth = depth;
        this.transfers = transfers;
    }

    /** Forgets the locks of GitSources not in {@code live} ({@code namespace/name}) that no one holds. */
    public void retainOnly(java.util.Set<String> live) {
        locks.entrySet().removeIf(e -> !live.contains(e.getKey()) && !e.getValue().isLocked());
    }

    /** How many GitSources' locks are kept (for tests). */
    public int lockCount() {
        return locks.size();
    }

    /** What to do with a GitSource's repository while holding its lock. */
    public interface RepositoryWork<T> {
        T run(Repository repository) throws GitSourceException, IOException;
    }

    public <T> T with(GitSource source, RepositoryWork<T> work) throws GitSourceException {
        String key = source.getMetadata().getNamespace() + "/" + source.getMetadata().getName();
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        File directory = root.resolve(source.getMetadata().getNamespace()).resolve(source.getMetadata().getName() + ".git")
                .toFile();
        try (Repository repository = new FileRepositoryBuilder().setGitDir(directory).setBare().build()) {
            if (!repository.getObjectDatabase().exists()) {
                repository.create(true);
            }
            refuseRedirects(repository);
            return work.run(repository);
        } catch (IOException e) {
            throw new GitSourceException("GitError", "local copy of " + source.getSpec().getUrl() + ": " + e.getMessage(),
                    false, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * JGit follows up to five redirects of a Git request to any host by default
     * ({@code http.followRedirects=initial}), and the egress policy checked only the configured
     * URL: this copy's own configuration says that no redirect is followed, for every fetch and
     * push (saved, so that JGit reloading the file does not drop it).
     */
    private static void refuseRedirects(Repository repository) throws IOException {
        StoredConfig config = repository.getConfig();
        if (!"false".equals(config.getString("http", null, "followRedirects"))) {
            config.setString("http", null, "followRedirects", "false");
            config.save();
        }
    }

    /**
     * Whether JGit refused to follow a redirect (its own message, so matched on its own text), in
     * any exception of the chain, uncut: a long URL before it must not hide it.
     */
    static boolean redirectRefused(Throwable e) {
        String refused = JGitText.get().redirectsOff;
        String text = refused.substring(0, refused.indexOf('{'));
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < 16; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** The local ref holding the last fetched head of the branch. */
    public static String trackingRef(String branch) {
        return "refs/ramp/" + branch;
    }

    /** Fetches the branch and returns its head. */
    public ObjectId fetch(Repository repository, GitSource source, GitCredentials credentials) throws GitSourceException {
        return fetch(repository, source, credentials, depth);
    }

    /**
     * Fetches the branch {@link #DEEPEN_FACTOR} times deeper than a sync does, for a revert whose
     * promoted commit lies beyond the usual depth. Returns false when there is nothing deeper to
     * fetch (this mirror fetches whole histories).
     */
    public boolean deepen(Repository repository, GitSource source, GitCredentials credentials) throws GitSourceException {
        if (depth == 0) {
            return false;
        }
        fetch(repository, source, credentials, depth * DEEPEN_FACTOR);
        return true;
    }

    private ObjectId fetch(Repository repository, GitSource source, GitCredentials credentials, int depth)
            throws GitSourceException {
        String branch = source.getSpec().getBranch();
        if (!Repository.isValidRefName("refs/heads/" + branch)) {
            throw GitSourceException.userError("InvalidBranch", "spec.branch " + branch
                    + " is not a valid Git branch name");
        }
        try (GitTransfer transfer = transfers.open(source, "fetching")) {
            var fetch = Git.wrap(repository).fetch()
                    .setRemote(source.getSpec().getUrl())
                    .setRefSpecs(new RefSpec("+refs/heads/" + branch + ":" + trackingRef(branch)))
                    .setTimeout(transfers.limits().idleSeconds())
                    .setTransportConfigCallback(transport -> transfer.configure(transport, credentials));
            if (depth > 0) {
                fetch.setDepth(depth);
            }
            try {
                fetch.call();
            } catch (GitAPIException | RuntimeException e) {
                transfer.throwFailure();
                throw e;
            }
            ObjectId head = repository.resolve(trackingRef(branch));
            if (head == null) {
                throw GitSourceException.userError("BranchNotFound", "branch " + branch + " not found in "
                        + source.getSpec().getUrl());
            }
            return head;
        } catch (InvalidRemoteException e) {
            throw GitSourceException.userError(GitSourceReasons.INVALID_URL, "cannot use " + source.getSpec().getUrl() + ": " + message(e));
        } catch (TransportException e) {
            String message = message(e);
            if (redirectRefused(e)) {
                throw GitSourceException.userError(GitSourceReasons.REDIRECT_REFUSED, redirectMessage("fetching", source));
            }
            if (message.contains("Server key did not validate")) {
                throw GitSourceException.userError("AuthenticationFailed", "fetching " + source.getSpec().getUrl()
                        + ": the server's host key is not the one known_hosts in spec.secretRef lists for it");
            }
            if (message.contains("not authorized") || message.contains("Authentication") || message.contains("auth")
                    || message.contains("rejected") || message.contains("known_hosts") || message.contains("host key")) {
                throw GitSourceException.userError("AuthenticationFailed", "fetching " + source.getSpec().getUrl()
                        + ": " + message);
            }
            if (message.contains("Remote does not have")) {
                throw GitSourceException.userError("BranchNotFound", "branch " + branch + " not found in "
                        + source.getSpec().getUrl());
            }
            throw new GitSourceException("GitUnreachable", "fetching " + source.getSpec().getUrl() + ": " + message,
                    false, e);
        } catch (GitAPIException | IOException e) {
            throw new GitSourceException("GitUnreachable", "fetching " + source.getSpec().getUrl() + ": " + message(e),
                    false, e);
        }
    }

    /**
     * Pushes a commit to a branch, forcing only when asked (a branch of Ramp's own). Returns false
     * when the server refused it because the branch moved on (the caller rebuilds on the new head).
     */
    public boolean push(Repository repository, GitSource source, GitCredentials credentials, ObjectId commit,
            String branch, boolean force) throws GitSourceException {
        try (GitTransfer transfer = transfers.open(source, "pushing to")) {
            Iterable<PushResult> results;
            try {
                results = Git.wrap(repository).push()
                        .setRemote(source.getSpec().getUrl())
                        .setRefSpecs(new RefSpec((force ? "+" : "") + commit.name() + ":refs/heads/" + branch))
                        .setTimeout(transfers.limits().idleSeconds())
                        .setTransportConfigCallback(transport -> transfer.configure(transport, credentials))
                        .call();
            } catch (GitAPIException | RuntimeException e) {
                transfer.throwFailure();
                throw e;
            }
            for (PushResult result : results) {
                for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                    switch (update.getStatus()) {
                        case OK, UP_TO_DATE -> {
                            return true;
                        }
                        case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> {
                            return false;
                        }
                        default -> throw new GitSourceException("PushFailed", "pushing to " + branch + " of "
                                + source.getSpec().getUrl() + ": " + update.getStatus()
                                + (update.getMessage() == null ? "" : " (" + remote(update.getMessage()) + ")"),
                                update.getStatus() == RemoteRefUpdate.Status.REJECTED_OTHER_REASON);
                    }
                }
            }
            throw new GitSourceException("PushFailed", "pushing to " + branch + ": the server sent no result", false);
        } catch (TransportException e) {
            if (redirectRefused(e)) {
                throw GitSourceException.userError(GitSourceReasons.REDIRECT_REFUSED, redirectMessage("pushing to", source));
            }
            throw new GitSourceException("GitUnreachable", "pushing to " + source.getSpec().getUrl() + ": " + message(e),
                    false, e);
        } catch (GitAPIException e) {
            throw new GitSourceException("GitUnreachable", "pushing to " + source.getSpec().getUrl() + ": " + message(e),
                    false, e);
        }
    }

    private static String redirectMessage(String doing, GitSource source) {
        return doing + " " + Redaction.url(source.getSpec().getUrl()) + " (spec.url): the server answered with a redirect,"
                + " and Ramp refuses redirects (a redirect could lead past the operator's egress policy);"
                + " set spec.url to the address the server redirects to";
    }

    /**
     * What JGit said, cut to {@value #MAX_REMOTE_MESSAGE} characters before anything looks at it:
     * it may quote the remote (the first line of a non-Git answer, a server's refusal).
     */
    static String message(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return remote(cause == e || cause.getMessage() == null ? String.valueOf(e.getMessage())
                : e.getMessage() + ": " + cause.getMessage());
    }

    private static String remote(String text) {
        return Redaction.shortened(text, MAX_REMOTE_MESSAGE);
    }
}
