package dev.ramp.git;

import dev.ramp.api.AccessReasons;
import dev.ramp.api.GitSource;
import dev.ramp.kube.SecretValues;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;

/**
 * How Ramp authenticates to a GitSource's server, read from its {@code secretRef}: keys
 * {@code username} and {@code password} (or {@code token}) for https; {@code identity} (a private
 * key) and {@code known_hosts} for ssh. An ssh host is only trusted when known_hosts lists its
 * key: there is no accept-any-key mode. The secret values live in memory and, for ssh, in a
 * private temporary directory removed by {@link #close()}; they never reach logs or status.
 */
public final class GitCredentials implements AutoCloseable {

    private static final String IDENTITY = "identity";
    private static final String KNOWN_HOSTS = "known_hosts";

    private final CredentialsProvider credentials;
    private final Path sshDirectory;

    private GitCredentials(CredentialsProvider credentials, Path sshDirectory) {
        this.credentials = credentials;
        this.sshDirectory = sshDirectory;
    }

    public static GitCredentials none() {
        return new GitCredentials(null, null);
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
        return new GitCredentials(new UsernamePasswordCredentialsProvider(username, password), null);
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
            Files.writeString(dir.resolve(IDENTITY), data.get("identity"), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(KNOWN_HOSTS), knownHosts, StandardCharsets.UTF_8);
            return new GitCredentials(null, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isSsh(String url) {
        return url.startsWith("ssh://") || !url.contains("://");
    }

    /** Sets the https credentials on JGit's transport (ssh authenticates with its session factory). */
    void configure(Transport transport) {
        if (credentials != null) {
            transport.setCredentialsProvider(credentials);
        }
    }

    /** Why a peer an ssh connection reached may not be talked to, or empty. */
    @FunctionalInterface
    interface PeerCheck {
        Optional<String> refusal(InetAddress peer);
    }

    /**
     * A new ssh session factory for one transfer: the Secret's identity and known_hosts only, no ssh
     * config, no agent. Its host key check first asks {@code peers} about the address the
     * connection reached, so a refused peer never sees Ramp authenticate.
     *
     * @throws IllegalStateException for credentials of an https remote
     */
    SshdSessionFactory sshSessions(PeerCheck peers) {
        if (sshDirectory == null) {
            throw new IllegalStateException("no ssh identity: the remote is not an ssh URL");
        }
        Path identity = sshDirectory.resolve(IDENTITY);
        Path hosts = sshDirectory.resolve(KNOWN_HOSTS);
        SshdSessionFactory factory = new SshdSessionFactory(new JGitKeyCache(), null) {
            @Override
            protected File getSshConfig(File sshDir) {
                return null;
            }

            @Override
            protected List<Path> getDefaultIdentities(File sshDir) {
                return List.of(identity);
            }

            @Override
            protected List<Path> getDefaultKnownHostsFiles(File sshDir) {
                return List.of(hosts);
            }

            @Override
            protected ConnectorFactory getConnectorFactory() {
                return null;
            }

            @Override
            protected ServerKeyDatabase createServerKeyDatabase(File homeDir, File sshDir) {
                return new PeerCheckedKeys(super.createServerKeyDatabase(homeDir, sshDir), peers);
            }
        };
        factory.setHomeDirectory(sshDirectory.toFile());
        factory.setSshDirectory(sshDirectory.toFile());
        return factory;
    }

    /** known_hosts, asked only once the address the connection reached passes the egress policy. */
    private record PeerCheckedKeys(ServerKeyDatabase keys, PeerCheck peers) implements ServerKeyDatabase {

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return keys.lookup(connectAddress, remoteAddress, config);
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                Configuration config, CredentialsProvider provider) {
            if (remoteAddress.getAddress() == null || peers.refusal(remoteAddress.getAddress()).isPresent()) {
                return false;
            }
            return keys.accept(connectAddress, remoteAddress, serverKey, config, provider);
        }
    }

    @Override
    public void close() {
        if (sshDirectory != null) {
            try (Stream<Path> files = Files.walk(sshDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // A leftover private temp directory is harmless; nothing to report.
            }
        }
    }
}
