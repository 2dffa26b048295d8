package dev.ramp.git;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the push webhook reads a request's body at all, decided before it does: at most
 * {@code maxInFlight} requests are read or checked at once (so at most that many bodies are held
 * in memory), and a client address, or all clients together, that sent too many requests the
 * webhook refused (no key, a bad signature) is refused before its body is read. Only refused
 * requests are charged, so behind a proxy that gives every sender one address, an unsigned flood
 * cannot lock out the signed pushes that share it. The GitSource's own rate limit is charged only
 * once a request's signature verifies, so requests without its key cannot use it up.
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
        Duration wait = perClient.peek(client);
        if (!wait.isZero()) {
            return Optional.of(new Refusal(429, wait, "too many refused requests from this address"));
        }
        wait = global.peek(ALL);
        if (!wait.isZero()) {
            return Optional.of(new Refusal(429, wait, "too many refused requests"));
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return Optional.of(new Refusal(503, Duration.ofSeconds(1), "too many requests in progress"));
        }
        return Optional.empty();
    }

    /** Charges a request the webhook refused (no key, a bad signature) to its client address and to all clients. */
    void refused(String client) {
        perClient.take(client);
        global.take(ALL);
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
