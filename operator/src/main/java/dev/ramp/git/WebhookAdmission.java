package dev.ramp.git;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the push webhook reads a request's body at all, decided before it does and before
 * anyone knows whether the request is signed: each client address has a token bucket, all clients
 * together share one, and at most {@code maxInFlight} requests are read or checked at once (so at
 * most that many bodies are held in memory). The GitSource's own rate limit is charged only once
 * a request's signature verifies, so requests without its key cannot use it up.
 */
final class WebhookAdmission {

    private static final String ALL = "";

    private final TokenBuckets perClient;
    private final TokenBuckets global;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Why a request was not admitted: the HTTP status, how long to wait before trying again, and the answer's text. */
    record Refusal(int status, Duration retryAfter, String message) {
    }

    WebhookAdmission(Limit perClient, Limit global, int maxInFlight, Clock clock) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("the push webhook needs at least 1 request in flight: " + maxInFlight);
        }
        this.perClient = new TokenBuckets(perClient.burst(), perClient.perMinute(), clock);
        this.global = new TokenBuckets(global.burst(), global.perMinute(), clock);
        this.maxInFlight = maxInFlight;
    }

    /** A token bucket's size: {@code burst} requests at once, then {@code perMinute} a minute. */
    record Limit(int burst, int perMinute) {
    }

    /**
     * Admits a request from {@code client} (its address), or says why not. An admitted request
     * holds one of the in-flight places until {@link #release()}.
     */
    Optional<Refusal> admit(String client) {
        Duration wait = perClient.take(client);
        if (!wait.isZero()) {
            return Optional.of(new Refusal(429, wait, "too many requests from this address"));
        }
        wait = global.take(ALL);
        if (!wait.isZero()) {
            return Optional.of(new Refusal(429, wait, "too many requests"));
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return Optional.of(new Refusal(503, Duration.ofSeconds(1), "too many requests in progress"));
        }
        return Optional.empty();
    }

    /** Gives back the in-flight place of an admitted request, once it is answered or its client went away. */
    void release() {
        inFlight.decrementAndGet();
    }

    /** Requests admitted and not yet released (for tests). */
    int inFlight() {
        return inFlight.get();
    }
}
