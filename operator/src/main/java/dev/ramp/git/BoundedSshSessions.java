package dev.ramp.git;

import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.RemoteSession2;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.SshdSession;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.util.FS;

/**
 * The ssh sessions of one {@link GitTransfer}: each, once connected and authenticated, is
 * registered with the transfer (disconnected at its deadline), and what the remote Git command
 * writes (its output and its errors) is counted against the transfer's byte limit. Before that,
 * while the session is being set up, sshd's own timeouts bound it (the connection: Git's idle
 * timeout; authentication: sshd's two minutes).
 */
final class BoundedSshSessions extends SshSessionFactory implements AutoCloseable {

    private final GitTransfer transfer;
    private final SshdSessionFactory sessions;

    BoundedSshSessions(GitTransfer transfer, SshdSessionFactory sessions) {
        this.transfer = transfer;
        this.sessions = sessions;
    }

    @Override
    public RemoteSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int tms) throws TransportException {
        SshdSession session = sessions.getSession(uri, credentials, fs, tms);
        transfer.opened(session::disconnect);
        return new Session(session);
    }

    @Override
    public String getType() {
        return sessions.getType();
    }

    @Override
    public void close() {
        sessions.close();
    }

    private final class Session implements RemoteSession2 {

        private final SshdSession session;

        Session(SshdSession session) {
            this.session = session;
        }

        @Override
        public Process exec(String command, int timeout) throws IOException {
            return exec(command, Map.of(), timeout);
        }

        @Override
        public Process exec(String command, Map<String, String> environment, int timeout) throws IOException {
            return new CountedProcess(session.exec(command, environment, timeout));
        }

        @Override
        public void disconnect() {
            session.disconnect();
        }
    }

    /** A remote command whose output and errors are read through the transfer's count. */
    private final class CountedProcess extends Process {

        private final Process process;
        private final InputStream output;
        private final InputStream errors;

        CountedProcess(Process process) {
            this.process = process;
            this.output = transfer.counted(process.getInputStream());
            this.errors = transfer.counted(process.getErrorStream());
        }

        @Override
        public OutputStream getOutputStream() {
            return process.getOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return output;
        }

        @Override
        public InputStream getErrorStream() {
            return errors;
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return process.waitFor(timeout, unit);
        }

        @Override
        public int exitValue() {
            return process.exitValue();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public void destroy() {
            process.destroy();
        }
    }
}
