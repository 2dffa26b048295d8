package dev.ramp.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A developer's clone of a repository on the {@link GitHttpServer}: write files, commit, push,
 * and read the branch's history as the server has it.
 */
public class GitWorkspace implements AutoCloseable {

    private final Path dir;
    private final Git git;
    private final UsernamePasswordCredentialsProvider credentials;

    public GitWorkspace(String url, String username, String password) throws Exception {
        this.dir = Files.createTempDirectory("ramp-dev-clone-");
        this.credentials = new UsernamePasswordCredentialsProvider(username, password);
        this.git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(url)).call();
    }

    public GitWorkspace write(String file, String content) throws IOException {
        Path path = dir.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content, StandardCharsets.UTF_8);
        return this;
    }

    public GitWorkspace delete(String file) throws IOException {
        Files.delete(dir.resolve(file));
        return this;
    }

    /** Commits everything and pushes it to main; returns the commit id. */
    public String commitAndPush(String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        RevCommit commit = git.commit().setMessage(message)
                .setAuthor(new PersonIdent("Dev", "dev@example.com")).setCommitter(new PersonIdent("Dev", "dev@example.com"))
                .call();
        git.push().setRemote("origin").setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
                .setCredentialsProvider(credentials).call();
        return commit.name();
    }

    /** Fetches main and moves this clone onto it, so later commits build on what the server has. */
    public GitWorkspace pull() throws GitAPIException {
        git.fetch().setRemote("origin").setCredentialsProvider(credentials)
                .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("+refs/heads/*:refs/remotes/origin/*")).call();
        git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef("refs/remotes/origin/main").call();
        return this;
    }

    /** The server's main branch, newest commit first. */
    public List<RevCommit> log() throws GitAPIException, IOException {
        pull();
        List<RevCommit> commits = new ArrayList<>();
        git.log().call().forEach(commits::add);
        return commits;
    }

    /** A file's content at the server's head of a branch. */
    public String read(String branch, String file) throws GitAPIException, IOException {
        git.fetch().setRemote("origin").setCredentialsProvider(credentials)
                .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("+refs/heads/*:refs/remotes/origin/*")).call();
        var repo = git.getRepository();
        var id = repo.resolve("refs/remotes/origin/" + branch);
        try (var walk = new org.eclipse.jgit.revwalk.RevWalk(repo);
                var tree = org.eclipse.jgit.treewalk.TreeWalk.forPath(repo, file, walk.parseCommit(id).getTree())) {
            return tree == null ? null : new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The paths a commit of the server's branches changed, compared with its first parent. */
    public List<String> changedFiles(String commit) throws GitAPIException, IOException {
        git.fetch().setRemote("origin").setCredentialsProvider(credentials)
                .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("+refs/heads/*:refs/remotes/origin/*")).call();
        var repo = git.getRepository();
        try (var walk = new org.eclipse.jgit.revwalk.RevWalk(repo);
                var tree = new org.eclipse.jgit.treewalk.TreeWalk(repo)) {
            RevCommit child = walk.parseCommit(repo.resolve(commit));
            tree.addTree(walk.parseCommit(child.getParent(0)).getTree());
            tree.addTree(child.getTree());
            tree.setRecursive(true);
            return org.eclipse.jgit.diff.DiffEntry.scan(tree).stream()
                    .map(d -> d.getChangeType() == org.eclipse.jgit.diff.DiffEntry.ChangeType.DELETE ? d.getOldPath()
                            : d.getNewPath())
                    .toList();
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        git.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
