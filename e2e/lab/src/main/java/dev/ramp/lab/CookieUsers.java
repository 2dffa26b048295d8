package dev.ramp.lab;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Users with a browser's memory: each keeps the cookies its answers set (a cookie jar of its own)
 * and sends them back, one request at a time, every {@code period}; {@link #byUser} tells which
 * version answered each of them. The load stops by itself after {@code requests} requests a user.
 */
public final class CookieUsers implements AutoCloseable {

    /** One answer a user saw; {@code version} is null when no pod answered. */
    public record Answer(int user, Instant sent, int status, String version) {
    }

    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(4, r -> PodRunner.daemon(r, "cookie-users"));

    CookieUsers(String proxy, String service, String namespace, int users, Duration period, int requests) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + proxy + "/")).header("Host", service + "." + namespace)
                .timeout(Duration.ofSeconds(10)).GET().build();
        for (int user = 0; user < users; user++) {
            HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).cookieHandler(new CookieManager()).build();
            AtomicInteger left = new AtomicInteger(requests);
            int id = user;
            // Spread over the period, so that the users' requests do not all leave at once.
            ticker.scheduleWithFixedDelay(() -> {
                if (left.getAndDecrement() <= 0) {
                    throw new IllegalStateException("done"); // ends this user's schedule, not the others'
                }
                Instant sent = Instant.now();
                try {
                    HttpResponse<Void> response = browser.send(request, HttpResponse.BodyHandlers.discarding());
                    answers.add(new Answer(id, sent, response.statusCode(), response.headers().firstValue("X-Version").orElse(null)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    answers.add(new Answer(id, sent, 0, null));
                }
            }, period.toMillis() * user / users, period.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Each user's answers to the requests sent before {@code until}, in the order sent. */
    public Map<Integer, List<Answer>> byUser(Instant until) {
        Map<Integer, List<Answer>> users = new TreeMap<>();
        answers.stream().filter(a -> a.sent().isBefore(until)).sorted(Comparator.comparing(Answer::sent))
                .forEach(a -> users.computeIfAbsent(a.user(), u -> new ArrayList<>()).add(a));
        return users;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
