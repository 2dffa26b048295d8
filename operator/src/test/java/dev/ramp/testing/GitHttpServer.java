package dev.ramp.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real Git server over smart HTTP on loopback: Git's own {@code git http-backend} (the CGI
 * program that hosting setups put behind Apache or nginx) behind HTTP basic authentication.
 * Repositories are bare directories under a temporary root. A test can run code just before the
 * next push is received ({@link #beforeNextPush}), to make the branch move under a pusher.
 */
public class GitHttpServer implements AutoCloseable {

    private static final String BACKEND = "/usr/lib/git-core/git-http-backend";

    private final String username;
    private final String password;
    private final Path root;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final AtomicReference<Runnable> beforeNextPush = new AtomicReference<>();
    private final AtomicInteger pushes = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Queue<String> authorizations = new ConcurrentLinkedQueue<>();

    public GitHttpServer(String username, String password) throws IOException {
        this.username = username;
        this.password = password;
        this.root = Files.createTempDirectory("ramp-git-server-");
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    /** Creates an empty bare repository and returns its URL. */
    public String createRepository(String name) throws IOException, InterruptedException {
        Path dir = repository(name);
        run(root, "git", "init", "--bare", "--quiet", "--initial-branch=main", dir.toString());
        run(dir, "git", "config", "http.receivepack", "true");
        return url(name);
    }

    public String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + ".git";
    }

    public Path repository(String name) {
        return root.resolve(name + ".git");
    }

    public void beforeNextPush(Runnable action) {
        beforeNextPush.set(action);
    }

    /** Pushes received (authenticated receive-pack requests). */
    public int pushes() {
        return pushes.get();
    }

    /** Requests received, of any kind. */
    public int requests() {
        return requests.get();
    }

    /** Requests refused for want of the right credentials. */
    public int refused() {
        return refused.get();
    }

    /** Every Authorization header received, as sent, in order (empty for a request without one). */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization == null ? "" : authorization);
            if (!authorised(authorization)) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"ramp-test\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/git-receive-pack")) {
                pushes.incrementAndGet();
                Runnable action = beforeNextPush.getAndSet(null);
                if (action != null) {
                    action.run();
                }
            }
            cgi(exchange, path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean authorised(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return false;
        }
        String pair = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        return pair.equals(username + ":" + password);
    }

    private void cgi(HttpExchange exchange, String path) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(BACKEND);
        Map<String, String> env = builder.environment();
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("PATH_INFO", path);
        env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("REMOTE_USER", username);
        env.put("REMOTE_ADDR", "127.0.0.1");
        var headers = exchange.getRequestHeaders();
        putIfPresent(env, "CONTENT_TYPE", headers.getFirst("Content-Type"));
        putIfPresent(env, "HTTP_CONTENT_ENCODING", headers.getFirst("Content-Encoding"));
        putIfPresent(env, "GIT_PROTOCOL", headers.getFirst("Git-Protocol"));
        Process process = builder.start();
        var feeder = pool.submit(() -> {
            try (InputStream in = exchange.getRequestBody(); OutputStream out = process.getOutputStream()) {
                in.transferTo(out);
            }
            return null;
        });
        InputStream out = process.getInputStream();
        int status = 200;
        String line;
        while (!(line = readLine(out)).isEmpty()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.substring(0, 3));
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        exchange.sendResponseHeaders(status, 0);
        try (OutputStream body = exchange.getResponseBody()) {
            out.transferTo(body);
        }
        process.waitFor(30, TimeUnit.SECONDS);
        try {
            feeder.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the backend stopped reading early (e.g. a refused request); its answer was already sent
        }
    }

    private static void putIfPresent(Map<String, String> env, String key, String value) {
        if (value != null) {
            env.put(key, value);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
