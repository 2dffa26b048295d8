package dev.ramp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Webhook receivers on loopback that a test steers: each path answers a status the test sets
 * (after an optional delay), and every request's JSON payload is kept for assertions.
 */
public class HookServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request received: the path and its JSON payload. */
    public record Call(String path, JsonNode payload) {
    }

    private final HttpServer server;
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final List<Call> calls = new ArrayList<>();

    public HookServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                JsonNode payload = JSON.readTree(exchange.getRequestBody());
                synchronized (calls) {
                    calls.add(new Call(path, payload));
                }
                long delay = delays.getOrDefault(path, 0L);
                if (delay > 0) {
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int status = answers.getOrDefault(path, 200);
                byte[] body = ("answer " + status + " from " + path).getBytes();
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (IOException e) {
                // the caller gave up (its timeout); nothing to answer
            }
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void answer(String path, int status) {
        answers.put(path, status);
    }

    public void delay(String path, long millis) {
        delays.put(path, millis);
    }

    public List<Call> calls(String path) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.path().equals(path)).toList();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
