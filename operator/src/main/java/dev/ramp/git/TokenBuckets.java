package dev.ramp.git;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One token bucket per key (a GitSource's namespace/name): up to {@code burst} requests at once,
 * then {@code perMinute} a minute. Keys are kept for the {@link #MAX_KEYS} most recently used,
 * so requests to made-up names cannot grow the map without bound; a bucket dropped that way
 * comes back full, which only ever lets a request through.
 */
final class TokenBuckets {

    static final int MAX_KEYS = 10_000;

    private final int burst;
    private final double perNano;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_KEYS;
        }
    };

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    TokenBuckets(int burst, int perMinute, Clock clock) {
        if (burst < 1 || perMinute < 1) {
            throw new IllegalArgumentException("a webhook rate limit needs a burst and a rate of at least 1");
        }
        this.burst = burst;
        this.perNano = perMinute / (double) Duration.ofMinutes(1).toNanos();
        this.clock = clock;
    }

    /** Takes a token for {@code key}: zero when the request may go ahead, else how long until one is free. */
    synchronized Duration take(String key) {
        Bucket bucket = refilled(key);
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return Duration.ZERO;
        }
        return untilFree(bucket);
    }

    /** Like {@link #take}, but takes nothing: zero while {@code key} has a token left. */
    synchronized Duration peek(String key) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            return Duration.ZERO;
        }
        bucket = refilled(key);
        return bucket.tokens >= 1 ? Duration.ZERO : untilFree(bucket);
    }

    private Bucket refilled(String key) {
        long now = nanos();
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perNano);
        bucket.at = now;
        return bucket;
    }

    private Duration untilFree(Bucket bucket) {
        return Duration.ofNanos((long) Math.ceil((1 - bucket.tokens) / perNano));
    }

    private long nanos() {
        var instant = clock.instant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
