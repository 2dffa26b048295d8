package dev.ramp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A real Git server over ssh on loopback: Apache MINA sshd accepting one client key, running
 * Git's own {@code git upload-pack} / {@code git receive-pack} on the bare repositories of a
 * directory (the same ones a {@link GitHttpServer} serves).
 */
public class GitSshServer implements AutoCloseable {

    private final Path root;
    private final SshServer server;
    private final KeyPair client;
    private final AtomicInteger authentications = new AtomicInteger();

    public GitSshServer(Path root) throws IOException, NoSuchAlgorithmException {
        this.root = root;
        this.client = rsa();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(Files.createTempFile("ramp-ssh-host-", ".key")));
        server.setPublickeyAuthenticator((user, key, session) -> {
            authentications.incrementAndGet();
            return KeyUtils.compareKeys(key, client.getPublic());
        });
        server.setCommandFactory((channel, command) -> new GitCommand(command));
        server.start();
    }

    public String url(String repository) {
        return url("127.0.0.1", repository);
    }

    /** The repository's URL naming the server as {@code host} (which must lead to 127.0.0.1). */
    public String url(String host, String repository) {
        return "ssh://git@" + host + ":" + server.getPort() + "/" + repository + ".git";
    }

    /** How many times a client offered a key (each attempt to authenticate, whatever its outcome). */
    public int authentications() {
        return authentications.get();
    }

    /** The client's private key, PEM-encoded, as a Secret's {@code identity} holds it. */
    public String identity() {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(client.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** A known_hosts line for this server's host key. */
    public String knownHosts() throws Exception {
        PublicKey host = server.getKeyPairProvider().loadKeys(null).iterator().next().getPublic();
        return "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(host) + "\n";
    }

    /** A known_hosts line that names this server with some other key. */
    public String wrongKnownHosts() throws Exception {
        return "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(rsa().getPublic()) + "\n";
    }

    private static KeyPair rsa() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** Runs the git command the client asked for, with its streams joined to the channel's. */
    private final class GitCommand implements Command {

        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        GitCommand(String command) {
            this.command = command;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            String[] parts = command.split(" ", 2);
            if (parts.length != 2 || !List.of("git-upload-pack", "git-receive-pack").contains(parts[0])) {
                err.write(("unsupported command: " + command + "\n").getBytes());
                err.flush();
                exit.onExit(1);
                return;
            }
            String repository = parts[1].replace("'", "").replaceFirst("^/", "");
            process = new ProcessBuilder("git", parts[0].substring(4), root.resolve(repository).toString()).start();
            daemon(() -> pump(in, process.getOutputStream(), true));
            daemon(() -> pump(process.getErrorStream(), err, false));
            daemon(() -> {
                pump(process.getInputStream(), out, false);
                try {
                    exit.onExit(process.waitFor());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        private static void daemon(Runnable work) {
            Thread thread = new Thread(work, "git-ssh-pump");
            thread.setDaemon(true);
            thread.start();
        }

        private static void pump(InputStream from, OutputStream to, boolean closeTarget) {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = from.read(buffer)) > 0) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
                if (closeTarget) {
                    to.close();
                }
            } catch (IOException e) {
                // the other side hung up; the process's exit ends the command
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null) {
                process.destroy();
            }
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }
    }
}
