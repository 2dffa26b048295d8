package dev.ramp.git;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URL;
import org.apache.http.HttpEntity;
import org.apache.http.HttpHost;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.entity.HttpEntityWrapper;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.protocol.HttpContext;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.apache.HttpClientConnection;

/**
 * The HTTP connections of one {@link GitTransfer}: JGit's Apache HttpClient transport, on a client
 * of the transfer's own. The JDK's HttpURLConnection, JGit's default, looks the host up again
 * (from the JVM's cache, or afresh once that entry expires), so a DNS server could answer it
 * otherwise than the egress check; this client's DnsResolver answers only with the addresses the
 * transfer checked. Every socket is registered with the transfer (closed at its deadline) and
 * every response body counted against its byte limit, after HTTP decompression, so a compressed
 * answer cannot grow past it.
 * <p>
 * HttpClient follows no redirect and retries nothing: JGit handles both itself, and its
 * configuration in each local copy refuses redirects. Certificates and host names are verified
 * as by the JDK's defaults: a repository's {@code http.sslVerify=false} has no effect here. No
 * proxy is used.
 */
final class PinnedHttpConnections implements HttpConnectionFactory, AutoCloseable {

    /** Connections one transfer may hold at once: JGit opens a few for its sequential requests. */
    private static final int MAX_CONNECTIONS = 8;

    private final CloseableHttpClient client;

    PinnedHttpConnections(GitTransfer transfer, int timeoutMillis) {
        Registry<ConnectionSocketFactory> sockets = RegistryBuilder.<ConnectionSocketFactory>create()
                .register("http", new Registered(PlainConnectionSocketFactory.getSocketFactory(), transfer))
                .register("https", new Registered(SSLConnectionSocketFactory.getSystemSocketFactory(), transfer))
                .build();
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(sockets, transfer::addresses);
        pool.setMaxTotal(MAX_CONNECTIONS);
        pool.setDefaultMaxPerRoute(MAX_CONNECTIONS);
        // Also bounds the TLS handshake, which runs before the request's own socket timeout is set.
        pool.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(timeoutMillis).build());
        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom().setConnectTimeout(timeoutMillis)
                        .setSocketTimeout(timeoutMillis).setConnectionRequestTimeout(timeoutMillis)
                        .setRedirectsEnabled(false).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                // JGit answers a 401 with the GitSource's credentials itself; the client adds none.
                .setDefaultCredentialsProvider(new BasicCredentialsProvider())
                // Runs after HttpClient's own decompression: the bytes counted are those JGit reads.
                .addInterceptorLast((HttpResponseInterceptor) (response, context) -> {
                    HttpEntity entity = response.getEntity();
                    if (entity != null) {
                        response.setEntity(new HttpEntityWrapper(entity) {
                            @Override
                            public InputStream getContent() throws IOException {
                                return transfer.counted(super.getContent());
                            }
                        });
                    }
                })
                .build();
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return new HttpClientConnection(url.toString(), null, client);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        return create(url);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // Closing the pool's connections is all that is wanted.
        }
    }

    /** A socket factory whose sockets the transfer can close at its deadline, before they connect. */
    private record Registered(ConnectionSocketFactory delegate, GitTransfer transfer) implements ConnectionSocketFactory {

        @Override
        public Socket createSocket(HttpContext context) throws IOException {
            Socket socket = delegate.createSocket(context);
            // The plain socket, under TLS too: closing it ends a read blocked in the TLS layer above.
            transfer.opened(socket);
            return socket;
        }

        @Override
        public Socket connectSocket(int connectTimeout, Socket socket, HttpHost host, InetSocketAddress remoteAddress,
                InetSocketAddress localAddress, HttpContext context) throws IOException {
            return delegate.connectSocket(connectTimeout, socket, host, remoteAddress, localAddress, context);
        }
    }
}
