package dev.ramp.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a Pod of the demo runs, served on the Pod's own address: answers every request with its
 * version (the image's tag), after {@code LATENCY_MS} milliseconds, and fails a share
 * {@code ERROR_RATE} (0 to 1) of them with a 500. All three come from the pod template, so a
 * release in Git is what changes them. With {@code LATENCY_SPREAD} above 0 (off by default) each
 * request's latency is drawn instead from a lognormal distribution with that sigma around the
 * median {@code LATENCY_MS}, as real services' latencies are spread (the judge's benchmark,
 * {@link JudgeBenchmark}).
 */
final class DemoService implements AutoCloseable {

    /** The behaviour a pod template declares. */
    record Behaviour(String version, double errorRate, double latencyMs, double latencySpread, int port) {

        static Behaviour of(Pod pod) {
            Container c = pod.getSpec().getContainers().get(0);
            String image = c.getImage();
            String version = image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "latest";
            int port = c.getPorts() == null || c.getPorts().isEmpty() ? 8080 : c.getPorts().get(0).getContainerPort();
            return new Behaviour(version, Double.parseDouble(env(c, "ERROR_RATE", "0")),
                    Double.parseDouble(env(c, "LATENCY_MS", "10")), Double.parseDouble(env(c, "LATENCY_SPREAD", "0")), port);
        }

        private static String env(Container c, String name, String fallback) {
            if (c.getEnv() == null) {
                return fallback;
            }
            return c.getEnv().stream().filter(e -> name.equals(e.getName())).map(EnvVar::getValue).findFirst().orElse(fallback);
        }
    }

    private final String pod;
    private final Behaviour behaviour;
    private final HttpServer server;

    DemoService(String pod, String ip, Behaviour behaviour, Executor executor) throws IOException {
        this.pod = pod;
        this.behaviour = behaviour;
        this.server = HttpServer.create(new InetSocketAddress(ip, behaviour.port()), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            try {
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean fail = ThreadLocalRandom.current().nextDouble() < behaviour.errorRate();
            byte[] body = ("{\"version\":\"" + behaviour.version() + "\",\"pod\":\"" + pod + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("X-Version", behaviour.version());
            exchange.sendResponseHeaders(fail ? 500 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The request's latency: the median, or with a spread a lognormal draw around it. */
    private void sleep() throws InterruptedException {
        double millis = behaviour.latencySpread() <= 0 ? behaviour.latencyMs()
                : behaviour.latencyMs() * Math.exp(behaviour.latencySpread() * ThreadLocalRandom.current().nextGaussian());
        long nanos = (long) (millis * 1e6);
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
