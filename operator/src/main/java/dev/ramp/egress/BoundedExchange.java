package dev.ramp.egress;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One HTTP exchange with a remote Ramp does not trust (a webhook, a metrics provider), made only
 * to addresses the egress policy allowed, and bounded in time and in size.
 *
 * <p>The host is looked up once, by {@link EgressPolicy#addresses}, and the connection goes to
 * those addresses and no others: the client (Apache HttpClient 5) is given a resolver that
 * answers with them, so a DNS server that rebinds the name between the check and the connection
 * is never asked again. Redirects are not followed, no proxy is used, nothing is retried.
 *
 * <p>The deadline covers the whole exchange, connect, TLS, headers and body: the socket timeouts
 * bound each wait, and at the deadline the exchange is aborted (its socket closed), so a remote
 * that trickles its headers or body a byte at a time holds the caller no longer. At most
 * {@code limit} bytes of the body are read; the rest is never received (the connection is
 * aborted, not drained), and the answer says that it was cut. A status line or header longer
 * than {@value #MAX_LINE} bytes, or more than {@value #MAX_HEADERS} headers, fail the exchange.
 */
public final class BoundedExchange {

    static final int MAX_LINE = 8192;
    static final int MAX_HEADERS = 100;

    /** Aborts exchanges at their deadline; one daemon thread that only closes sockets. */
    private static final ScheduledExecutorService DEADLINES = deadlines();
    /** The JDK's default TLS context and trust store, set up at the first https exchange (it takes seconds). */
    private static final TlsSocketStrategy TLS = (socket, target, port, attachment, context) ->
            SystemTls.STRATEGY.upgrade(socket, target, port, attachment, context);
    private static final ManagedHttpClientConnectionFactory CONNECTIONS = ManagedHttpClientConnectionFactory.builder()
            .http1Config(Http1Config.custom().setMaxLineLength(MAX_LINE).setMaxHeaderCount(MAX_HEADERS).build()).build();

    /** What the remote answered: its status, the first bytes of its body, and whether there were more. */
    public record Answer(int status, byte[] body, boolean cut) {

        /** The body read as UTF-8 (a character the cut split becomes U+FFFD). */
        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** The deadline passed before the whole answer was read; the exchange was aborted. */
    public static final class DeadlineExceeded extends InterruptedIOException {

        DeadlineExceeded(Duration deadline) {
            super("no whole answer within " + deadline.toMillis() + "ms");
        }
    }

    private BoundedExchange() {
    }

    private static final class SystemTls {
        static final TlsSocketStrategy STRATEGY = DefaultClientTlsStrategy.createSystemDefault();
    }

    private static ScheduledExecutorService deadlines() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "ramp-egress-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /**
     * Sends the request to the addresses {@code egress} allows for its URL and reads at most
     * {@code limit} bytes of the answer, all within {@code deadline}.
     *
     * @throws EgressDeniedException when the policy refuses the URL's host (nothing was sent)
     * @throws DeadlineExceeded when the deadline passed first
     * @throws UnknownHostException when the host does not resolve
     * @throws IOException when the remote could not be reached or broke off
     */
    public static Answer send(EgressPolicy egress, HttpUriRequestBase request, Duration deadline, int limit)
            throws EgressDeniedException, IOException {
        URI uri;
        try {
            uri = request.getUri();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL", e);
        }
        List<InetAddress> addresses = egress.addresses(uri);
        AtomicBoolean expired = new AtomicBoolean();
        CloseableHttpClient client = client(uri.getHost(), addresses, deadline);
        ScheduledFuture<?> abort = DEADLINES.schedule(() -> {
            expired.set(true);
            request.cancel();
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return exchange(client, request, limit);
        } catch (IOException e) {
            if (expired.get() || e instanceof InterruptedIOException) {
                throw new DeadlineExceeded(deadline);
            }
            throw e;
        } finally {
            abort.cancel(false);
            client.close(CloseMode.IMMEDIATE);
        }
    }

    private static Answer exchange(CloseableHttpClient client, HttpUriRequestBase request, int limit) throws IOException {
        ClassicHttpResponse response = client.executeOpen(null, request, null);
        boolean cut = false;
        try {
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                return new Answer(response.getCode(), new byte[0], false);
            }
            InputStream body = entity.getContent();
            byte[] kept = body.readNBytes(limit);
            cut = kept.length == limit && body.read() >= 0;
            return new Answer(response.getCode(), kept, cut);
        } finally {
            if (cut) {
                // Closing the response would read the rest of the body to reuse the connection: abort it instead.
                request.cancel();
                closeQuietly(response);
            } else {
                response.close();
            }
        }
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        try {
            response.close();
        } catch (IOException | RuntimeException e) {
            // The connection was aborted on purpose; closing it again has nothing to say.
        }
    }

    /** A client for one exchange, whose every lookup of {@code host} answers {@code addresses}. */
    private static CloseableHttpClient client(String host, List<InetAddress> addresses, Duration deadline) {
        Timeout timeout = Timeout.ofMilliseconds(Math.max(1, deadline.toMillis()));
        BasicHttpClientConnectionManager connections = BasicHttpClientConnectionManager.create(DefaultSchemePortResolver.INSTANCE,
                new Pinned(InClusterAllowList.normal(host), addresses),
                RegistryBuilder.<TlsSocketStrategy>create().register("https", TLS).build(), CONNECTIONS);
        connections.setConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build());
        return HttpClients.custom().setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom().setRedirectsEnabled(false).setResponseTimeout(timeout)
                        .setConnectionRequestTimeout(timeout).setProtocolUpgradeEnabled(false).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .disableContentCompression().disableConnectionState().setUserAgent("Ramp").build();
    }

    /** The resolver of one exchange: the addresses the egress policy checked, for the host it checked, and nothing else. */
    private record Pinned(String host, List<InetAddress> addresses) implements DnsResolver {

        @Override
        public InetAddress[] resolve(String name) throws UnknownHostException {
            if (!InClusterAllowList.normal(name).equals(host)) {
                throw new UnknownHostException(name + " is not the host the egress policy checked");
            }
            return addresses.toArray(InetAddress[]::new);
        }

        @Override
        public String resolveCanonicalHostname(String name) {
            return name;
        }
    }
}
