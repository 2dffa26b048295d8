package dev.ramp.lab;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Loopback ports and waiting for servers: everything in the lab listens on 127.0.0.0/8 only. */
final class Net {

    private Net() {
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean answers(String url, int status) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == status;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Polls every 200 ms until the condition holds; fails naming what did not come up. */
    static void await(String what, Duration within, BooleanSupplier condition) {
        awaitEvery(what, within, Duration.ofMillis(200), condition);
    }

    /**
     * Polls every {@code poll} until the condition holds; fails naming what did not come up. An
     * API request that fails or times out (a kube-apiserver still starting, or slow on a busy
     * machine) counts as "not yet", and the last such failure is named if time runs out; any other
     * exception (a process that exited) ends the wait at once.
     */
    static void awaitEvery(String what, Duration within, Duration poll, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(within);
        KubernetesClientException lastFailure = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (KubernetesClientException e) {
                lastFailure = e;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + " not ready within " + within.toSeconds() + "s"
                        + (lastFailure == null ? "" : "; the last request failed: " + lastFailure.getMessage()), lastFailure);
            }
            sleep(poll);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
