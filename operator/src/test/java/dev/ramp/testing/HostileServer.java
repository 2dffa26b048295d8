package dev.ramp.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile peer on loopback: each path misbehaves its own way. {@code /trickle/<code>} sends
 * the headers of that status at once, then one byte of body every 100 ms, forever;
 * {@code /huge/<code>} sends an endless body of {@code a}s as fast as it is read;
 * {@code /status/<code>} answers that status with a short body. Anything may follow the status
 * in the path (a provider's {@code /api/v1/query}). It counts the bytes of body it got out and the answers a client broke off, so a
 * test can show that the client stopped reading rather than drained the peer.
 */
public class HostileServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicLong bodyBytes = new AtomicLong();
    private final AtomicInteger brokenOff = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    public HostileServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/trickle/", exchange -> endless(exchange, new byte[] {'a'}, 100));
        server.createContext("/huge/", exchange -> {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            endless(exchange, chunk, 0);
        });
        server.createContext("/status/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                int status = status(exchange);
                byte[] body = ("status " + status).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
    }

    /** Writes {@code chunk} until the client goes away, pausing {@code pauseMillis} between writes. */
    private void endless(HttpExchange exchange, byte[] chunk, long pauseMillis) {
        open.incrementAndGet();
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status(exchange), 0);
            OutputStream body = exchange.getResponseBody();
            while (true) {
                body.write(chunk);
                body.flush();
                bodyBytes.addAndGet(chunk.length);
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
        } catch (IOException e) {
            brokenOff.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.decrementAndGet();
        }
    }

    /** How many endless answers are being sent now: callers still hanging on this peer. */
    public int open() {
        return open.get();
    }

    /** The status a path names second: {@code /huge/200} (and {@code /huge/200/api/v1/query}) answers 200. */
    private static int status(HttpExchange exchange) {
        return Integer.parseInt(exchange.getRequestURI().getPath().split("/")[2]);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** How many bytes of body it sent, over all answers. */
    public long bodyBytes() {
        return bodyBytes.get();
    }

    /** How many endless answers a client broke off (their writes failed). */
    public int brokenOff() {
        return brokenOff.get();
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
