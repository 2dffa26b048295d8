package dev.ramp.lab;

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
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A Git server over smart HTTP on loopback (in the cluster lab, on the node's address): Git's
 * own {@code git http-backend}, the CGI program hosting setups put behind a web server, here
 * behind HTTP basic authentication. Its bare repositories live under {@code <lab dir>/git},
 * where {@code git log} can read them.
 */
final class GitServer implements AutoCloseable {

    static final String USER = "ramp-bot";
    private static final String BACKEND = "/usr/lib/git-core/git-http-backend";

    private final String password;
    private final String host;
    private final Path root;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final Queue<Push> pushes = new ConcurrentLinkedQueue<>();

    /** A push the server accepted: the repository and the address it came from (a Pod's IP, or the node's). */
    record Push(String repository, String from, Instant at) {
    }

    /** A server on {@code host}: loopback, or in the cluster lab the node's address, where Pods reach it. */
    GitServer(Path dir, String host, String password) throws IOException {
        this.password = password;
        this.host = host;
        this.root = Files.createDirectories(dir.resolve("git"));
        this.server = HttpServer.create(new InetSocketAddress(host, 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    String password() {
        return password;
    }

    /** Creates an empty bare repository accepting pushes; returns its URL. */
    String createRepository(String name) throws IOException, InterruptedException {
        Path repo = repository(name);
        run(root, "git", "init", "--bare", "--quiet", "--initial-branch=main", repo.toString());
        run(repo, "git", "config", "http.receivepack", "true");
        return url(name);
    }

    String url(String name) {
        return "http://" + host + ":" + server.getAddress().getPort() + "/" + name + ".git";
    }

    Path repository(String name) {
        return root.resolve(name + ".git");
    }

    /** The pushes to repository {@code name} the server answered 200, in order. */
    List<Push> pushes(String name) {
        return pushes.stream().filter(p -> p.repository().equals(name)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(auth)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"ramp-lab\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            cgi(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void cgi(HttpExchange exchange) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(BACKEND);
        Map<String, String> env = builder.environment();
        String query = exchange.getRequestURI().getRawQuery();
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        env.put("QUERY_STRING", query == null ? "" : query);
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("REMOTE_USER", USER);
        env.put("REMOTE_ADDR", "127.0.0.1");
        var headers = exchange.getRequestHeaders();
        for (var h : Map.of("CONTENT_TYPE", "Content-Type", "HTTP_CONTENT_ENCODING", "Content-Encoding",
                "GIT_PROTOCOL", "Git-Protocol").entrySet()) {
            String value = headers.getFirst(h.getValue());
            if (value != null) {
                env.put(h.getKey(), value);
            }
        }
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
        String path = exchange.getRequestURI().getPath();
        if (status == 200 && "POST".equals(exchange.getRequestMethod()) && path.endsWith(".git/git-receive-pack")) {
            pushes.add(new Push(path.substring(1, path.length() - ".git/git-receive-pack".length()),
                    exchange.getRemoteAddress().getAddress().getHostAddress(), Instant.now()));
        }
        try (OutputStream body = exchange.getResponseBody()) {
            out.transferTo(body);
        }
        process.waitFor(30, TimeUnit.SECONDS);
        try {
            feeder.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the backend stopped reading early (a refused request); its answer was already sent
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

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
