package dev.ramp.lab;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The demo application's repository: the bare one on the lab's Git server, a developer's clone
 * of it that writes, commits and pushes manifests, and the signed push webhook the Git host sends
 * Ramp after a push.
 */
final class AppRepository implements AutoCloseable {

    /** The key the push webhook is signed with; the app's GitSource names a Secret holding it. */
    static final String WEBHOOK_KEY = "lab-webhook-key";

    private final Lab lab;
    private final String namespace;
    private final Path bare;
    private final Git clone;
    private final UsernamePasswordCredentialsProvider credentials;

    AppRepository(Lab lab, String namespace) throws Exception {
        this.lab = lab;
        this.namespace = namespace;
        String url = lab.git().createRepository(namespace);
        this.bare = lab.git().repository(namespace);
        this.credentials = new UsernamePasswordCredentialsProvider(GitServer.USER, lab.git().password());
        Path dir = Files.createDirectories(lab.dir().resolve("clones").resolve(namespace));
        this.clone = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        clone.remoteAdd().setName("origin").setUri(new URIish(url)).call();
    }

    /** Writes a manifest into the clone's manifests folder, uncommitted. */
    void write(String file, String content) throws IOException {
        Path path = clone.getRepository().getWorkTree().toPath().resolve(Manifests.DIR).resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content, StandardCharsets.UTF_8);
    }

    /** Commits every change as the developer, on top of the server's main, and pushes it; returns the commit. */
    String commitAndPush(String message) throws Exception {
        pull();
        clone.add().addFilepattern(".").call();
        PersonIdent dev = new PersonIdent("Dev", "dev@lab.local");
        String id = clone.commit().setMessage(message).setAuthor(dev).setCommitter(dev).call().name();
        clone.push().setRemote("origin").setRefSpecs(new RefSpec("HEAD:refs/heads/main")).setCredentialsProvider(credentials)
                .call();
        return id;
    }

    /** Moves the clone onto the server's main (Ramp may have pushed a revert), keeping local edits. */
    private void pull() throws Exception {
        if (clone.getRepository().resolve("HEAD") == null) {
            return;
        }
        clone.fetch().setRemote("origin").setCredentialsProvider(credentials)
                .setRefSpecs(new RefSpec("+refs/heads/main:refs/remotes/origin/main")).call();
        clone.reset().setRef("refs/remotes/origin/main").call();
    }

    /** The signed push webhook a Git host sends; returns the operator's answer. */
    int webhook() throws IOException, InterruptedException {
        byte[] payload = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(lab.webhookUrl(namespace, "apps")))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", sign(payload)).POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(WEBHOOK_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code git log --oneline} of main on the server, with authors. */
    String log() throws IOException, InterruptedException {
        return GitServer.run(bare, "git", "log", "--format=%h %an: %s", "main");
    }

    /** The full message of main's head commit on the server. */
    String headMessage() throws IOException, InterruptedException {
        return GitServer.run(bare, "git", "log", "-1", "--format=%H%n%B", "main");
    }

    /** The addresses pushes came from, in order (the developer's, then any Ramp made). */
    List<String> pushedFrom() {
        return lab.git().pushes(namespace).stream().map(GitServer.Push::from).toList();
    }

    /** A manifest as main's head on the server holds it. */
    String fileAtHead(String file) throws IOException, InterruptedException {
        return GitServer.run(bare, "git", "show", "main:" + Manifests.DIR + "/" + file);
    }

    @Override
    public void close() {
        clone.close();
    }
}
