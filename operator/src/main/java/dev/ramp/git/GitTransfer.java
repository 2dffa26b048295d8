package dev.ramp.git;

import dev.ramp.api.GitSourceReasons;
import dev.ramp.egress.Redaction;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;

/**
 * One fetch or push, bounded: it connects only to the addresses its {@link GitEgress.Destination}
 * checked (over HTTP by looking no name up again; over ssh by checking the address the connection
 * reached before the host key is accepted), reads at most {@link TransferLimits#maxBytes()} from
 * the remote, and at its deadline every connection it opened is closed, which ends a transfer
 * that a peer trickles. Afterwards {@link #failure()} says which of these ended it, if any: that,
 * not JGit's text, decides the condition.
 */
final class GitTransfer implements AutoCloseable {

    private final String url;
    private final String doing;
    private final GitEgress.Destination destination;
    private final TransferLimits limits;
    private final AtomicLong received = new AtomicLong();
    private final Queue<Closeable> connections = new ConcurrentLinkedQueue<>();
    private final ScheduledFuture<?> deadline;
    private volatile boolean expired;
    private volatile boolean tooLarge;
    private volatile String refused;
    private PinnedHttpConnections http;
    private BoundedSshSessions ssh;

    GitTransfer(String url, String doing, GitEgress.Destination destination, TransferLimits limits,
            ScheduledExecutorService watchdog) {
        this.url = url;
        this.doing = doing;
        this.destination = destination;
        this.limits = limits;
        this.deadline = watchdog.schedule(this::expire, limits.deadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sets this transfer's bounds on JGit's transport: its HTTP connections or ssh sessions. */
    void configure(Transport transport, GitCredentials credentials) {
        transport.setTimeout(limits.idleSeconds());
        credentials.configure(transport);
        if (transport instanceof TransportHttp httpTransport) {
            if (http == null) {
                http = new PinnedHttpConnections(this, limits.idleSeconds() * 1000);
            }
            httpTransport.setHttpConnectionFactory(http);
        } else if (transport instanceof SshTransport sshTransport) {
            if (ssh == null) {
                ssh = new BoundedSshSessions(this, credentials.sshSessions(this::peerRefusal));
            }
            sshTransport.setSshSessionFactory(ssh);
        } else {
            // Only these two are bounded and pinned; any other would run unchecked (the CRD allows no other).
            throw new IllegalStateException("no bounded transfer for " + transport.getClass().getSimpleName());
        }
    }

    /**
     * The addresses of {@code host} for an HTTP connection: those checked when the transfer began.
     * Any other host (none is asked for, since redirects are refused) is refused, never looked up.
     */
    InetAddress[] addresses(String host) throws UnknownHostException {
        if (!destination.is(host)) {
            refused = "not connecting to " + Redaction.shortened(host, 256) + ": it is not the host of "
                    + Redaction.url(url) + " (spec.url), the one the egress policy checked";
            throw new UnknownHostException(refused);
        }
        if (destination.addresses().isEmpty()) {
            throw new UnknownHostException(host + " did not resolve");
        }
        return destination.addresses().toArray(InetAddress[]::new);
    }

    /**
     * Why the peer an ssh connection reached may not be talked to, or empty. sshd looks the name
     * up itself, so the address it connected to is checked once more, before its host key is
     * accepted: before Ramp authenticates or sends a Git command.
     */
    Optional<String> peerRefusal(InetAddress peer) {
        Optional<String> refusal = destination.refusal(peer);
        refusal.ifPresent(r -> refused = doing + " " + Redaction.url(url) + ": stopped before authenticating, since the"
                + " ssh connection reached an address the egress policy refuses (" + r + ")");
        return refusal;
    }

    /** Registers a connection to close at the deadline; closes it at once if the deadline has passed. */
    void opened(Closeable connection) {
        connections.add(connection);
        if (expired) {
            closeQuietly(connection);
        }
    }

    /** {@code in}, counted against the bytes this transfer may read: past the limit, reading fails. */
    InputStream counted(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    count(n);
                }
                return n;
            }
        };
    }

    private void count(long n) throws IOException {
        if (received.addAndGet(n) > limits.maxBytes()) {
            tooLarge = true;
            throw new IOException("more than " + limits.maxBytes() + " bytes received (" + TransferLimits.MAX_BYTES_SETTING + ")");
        }
    }

    private void expire() {
        expired = true;
        for (Closeable connection : connections) {
            closeQuietly(connection);
        }
    }

    /** What ended this transfer, if one of its bounds did, as the condition to show. */
    Optional<GitSourceException> failure() {
        String where = Redaction.url(url);
        if (refused != null) {
            return Optional.of(GitSourceException.userError(GitSourceReasons.EGRESS_DENIED, refused));
        }
        if (tooLarge) {
            return Optional.of(GitSourceException.userError(GitSourceReasons.FETCH_TOO_LARGE, doing + " " + where
                    + ": the server sent more than " + limits.maxBytes() + " bytes, the most Ramp reads in one fetch"
                    + " (operator setting " + TransferLimits.MAX_BYTES_SETTING + "); make the branch's recent history"
                    + " smaller (large files), or ask for a higher limit or a shallower fetch (ramp.git.fetch-depth)"));
        }
        if (expired) {
            return Optional.of(new GitSourceException("GitUnreachable", doing + " " + where + ": not done within "
                    + human(limits.deadline()) + ", the deadline of a fetch or push (operator setting "
                    + TransferLimits.DEADLINE_SETTING + "); Ramp closed the connection and tries again later", false));
        }
        return Optional.empty();
    }

    /** Throws {@link #failure()}, if there is one: for a caller about to report JGit's own exception. */
    void throwFailure() throws GitSourceException {
        Optional<GitSourceException> failure = failure();
        if (failure.isPresent()) {
            throw failure.get();
        }
    }

    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    @Override
    public void close() {
        deadline.cancel(false);
        if (http != null) {
            http.close();
        }
        if (ssh != null) {
            ssh.close();
        }
        for (Closeable connection : connections) {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(Closeable connection) {
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            // Ending the connection is all that is wanted; its own failure changes nothing.
        }
    }
}
