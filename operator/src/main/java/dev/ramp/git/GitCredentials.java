package dev.ramp.git;

import dev.ramp.api.AccessReasons;
import dev.ramp.api.GitSource;
import dev.ramp.kube.SecretValues;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * How Ramp authenticates to a GitSource's server, read from its {@code secretRef}: keys
 * {@code username} and {@code password} (or {@code token}) for https; {@code identity} (a private
 * key) and {@code known_hosts} for ssh. An ssh host is only trusted when known_hosts lists its
 * key: there is no accept-any-key mode. The secret values live in memory and, for ssh, in a
 * private temporary directory removed by {@link #close()}; they never reach logs or status.
 */
public final class GitCredentials implements AutoCloseable {

    private final CredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final Path sshDirectory;

    private GitCredentials(CredentialsProvider credentials, SshdSessionFactory ssh, Path sshDirectory) {
        this.credentials = credentials;
        this.ssh = ssh;
        this.sshDirectory = sshDirectory;
    }

    public static GitCredentials none() {
        return new GitCredentials(null, null, null);
    }

    public static GitCredentials of(KubernetesClient client, GitSource source) throws GitSourceException {
        var ref = source.getSpec().getSecretRef();
        if (ref == null) {
            return isSsh(source.getSpec().getUrl()) ? ssh(Map.of(), source) : none();
        }
        Secret secret = client.secrets().inNamespace(source.getMetadata().getNamespace()).withName(ref.getName()).get();
        if (secret == null) {
            throw GitSourceException.userError("SecretNotFound", "Secret " + source.getMetadata().getNamespace() + "/"
                    + ref.getName() + " (spec.secretRef) not found");
        }
        Optional<String> refused = SecretValues.refusal(secret, "spec.secretRef");
        if (refused.isPresent()) {
            throw GitSourceException.userError(AccessReasons.SECRET_REFUSED, refused.get());
        }
        Map<String, String> data = SecretValues.strings(secret);
        if (isSsh(source.getSpec().getUrl())) {
            return ssh(data, source);
        }
        String password = data.getOrDefault("password", data.get("token"));
        if (password == null) {
            throw GitSourceException.userError("SecretInvalid", "Secret " + ref.getName()
                    + " has no key 'password' or 'token' for " + source.getSpec().getUrl());
        }
        String username = data.getOrDefault("username", "git");
        return new GitCredentials(new UsernamePasswordCredentialsProvider(username, password), null, null);
    }

    private static GitCredentials ssh(Map<String, String> data, GitSource source) throws GitSourceException {
        String knownHosts = data.get("known_hosts");
        if (knownHosts == null || knownHosts.isBlank()) {
            throw GitSourceException.userError("SecretInvalid", "ssh URL " + source.getSpec().getUrl()
                    + " needs a Secret (spec.secretRef) with key 'known_hosts': Ramp does not trust unknown host keys");
        }
        if (!data.containsKey("identity")) {
            throw GitSourceException.userError("SecretInvalid", "ssh URL " + source.getSpec().getUrl()
                    + " needs a Secret (spec.secretRef) with key 'identity' holding a private key");
        }
        try {
            Path dir = Files.createTempDirectory("ramp-ssh-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path identity = Files.writeString(dir.resolve("identity"), data.get("identity"), StandardCharsets.UTF_8);
            Path hosts = Files.writeString(dir.resolve("known_hosts"), knownHosts, StandardCharsets.UTF_8);
            SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(dir.toFile())
                    .setSshDirectory(dir.toFile())
                    .setDefaultIdentities(d -> List.of(identity))
                    .setDefaultKnownHostsFiles(d -> List.of(hosts))
                    .setConfigStoreFactory((home, config, user) -> null)
                    .build(new JGitKeyCache());
            return new GitCredentials(null, factory, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isSsh(String url) {
        return url.startsWith("ssh://") || !url.contains("://");
    }

    public <C extends TransportCommand<C, ?>> C configure(C command) {
        if (credentials != null) {
            command.setCredentialsProvider(credentials);
        }
        if (ssh != null) {
            command.setTransportConfigCallback(this::configure);
        }
        return command;
    }

    public void configure(Transport transport) {
        if (credentials != null) {
            transport.setCredentialsProvider(credentials);
        }
        if (ssh != null && transport instanceof SshTransport sshTransport) {
            sshTransport.setSshSessionFactory(ssh);
        }
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
        if (sshDirectory != null) {
            try (Stream<Path> files = Files.walk(sshDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // A leftover private temp directory is harmless; nothing to report.
            }
        }
    }
}
