package dev.ramp.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An exchange connects to the addresses the egress policy checked and to no other: a host name
 * only the policy's resolver knows is reached at the address it gave, a rebinding answer is
 * checked again (and refused) rather than connected to, and a redirect is not followed.
 */
class BoundedExchangeTest {

    private final HttpServer server;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final AtomicInteger lookups = new AtomicInteger();

    BoundedExchangeTest() throws IOException {
        // 127.0.0.2: loopback, but not the address a resolver falling back to "localhost" would give.
        server = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                paths.add(exchange.getRequestURI().getPath());
                if (exchange.getRequestURI().getPath().equals("/moved")) {
                    exchange.getResponseHeaders().add("Location", "http://127.0.0.2:" + port() + "/elsewhere");
                    exchange.sendResponseHeaders(302, -1);
                    return;
                }
                byte[] body = "ok".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int port() {
        return server.getAddress().getPort();
    }

    /** 127.0.0.2 allowed to team-a; the name hooks.rebind.test answers 127.0.0.2 once, then 127.0.0.1. */
    private EgressPolicy rebinding() {
        return EgressPolicy.of(List.of(), EgressPolicy.DEFAULT_DENY, List.of(), List.of(), List.of("team-a=127.0.0.2/32"))
                .resolvingWith(host -> {
                    if (!host.equals("hooks.rebind.test")) {
                        return InetAddress.getAllByName(host);
                    }
                    String answer = lookups.getAndIncrement() == 0 ? "127.0.0.2" : "127.0.0.1";
                    return new InetAddress[] {InetAddress.getByAddress(host, InetAddress.getByName(answer).getAddress())};
                }).forNamespace("team-a");
    }

    @Test
    void theConnectionGoesToTheCheckedAddressAndARebindingAnswerIsRefused() throws Exception {
        URI uri = URI.create("http://hooks.rebind.test:" + port() + "/check");
        EgressPolicy policy = rebinding();

        BoundedExchange.Answer first = BoundedExchange.send(policy, new HttpGet(uri), Duration.ofSeconds(5), 1024);

        // The JVM cannot resolve the name: only the policy's one lookup led the client to the server.
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text()).isEqualTo("ok");
        assertThat(lookups).hasValue(1);
        assertThat(paths).containsExactly("/check");

        assertThatThrownBy(() -> BoundedExchange.send(policy, new HttpGet(uri), Duration.ofSeconds(5), 1024))
                .isInstanceOf(EgressDeniedException.class)
                .hasMessage("host hooks.rebind.test: address 127.0.0.1 is loopback, which tenant URLs may not reach unless"
                        + " the operator allows it for namespace team-a (ramp.egress.in-cluster-allow)");
        assertThat(lookups).hasValue(2);
        assertThat(paths).containsExactly("/check");
    }

    @Test
    void aRedirectIsTheAnswerNotFollowed() throws Exception {
        BoundedExchange.Answer answer = BoundedExchange.send(rebinding(),
                new HttpGet(URI.create("http://127.0.0.2:" + port() + "/moved")), Duration.ofSeconds(5), 1024);

        assertThat(answer.status()).isEqualTo(302);
        assertThat(paths).containsExactly("/moved");
    }

    @Test
    void aDeniedAddressIsNeverConnectedTo() {
        assertThatThrownBy(() -> BoundedExchange.send(rebinding().forNamespace("team-b"),
                new HttpGet(URI.create("http://127.0.0.2:" + port() + "/check")), Duration.ofSeconds(5), 1024))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("namespace team-b");
        assertThat(paths).isEmpty();
    }
}
