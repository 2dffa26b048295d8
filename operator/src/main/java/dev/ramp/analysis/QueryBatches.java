package dev.ramp.analysis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The batched queries of the built-in metrics: one query answers every canary that uses the same
 * metric, provider and window ({@link BuiltinQueries#batched}). A check may use an answer asked no
 * more than {@code maxAge} before the check was due, so a rollback waits for no staler data than
 * that, and never the answer its canary's previous check read; a check asking while such a query is in flight waits for it (the same answer, or the same
 * error, reaches every check that waited) and never sends a second. With N canaries due at
 * different moments, at most {@code interval / maxAge} queries go out per interval for each
 * metric, provider and window, however large N. A {@code maxAge} of zero batches nothing.
 */
public final class QueryBatches {

    /** The setting, as the operator's configuration names it. */
    public static final String MAX_AGE_SETTING = "ramp.analysis.batch-max-age";
    /** Its default: a check reads data at most this older than when it was due. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);

    private final Duration maxAge;
    private final Clock clock;
    private final AnalysisMetrics metrics;
    private final Map<Key, Asked> latest = new HashMap<>();

    private record Key(MetricsProvider provider, String query) {
    }

    /** A query sent at {@code at}, answered or still in flight. */
    private record Asked(Instant at, CompletableFuture<BatchAnswer> answer) {
    }

    public QueryBatches(Duration maxAge, Clock clock, AnalysisMetrics metrics) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException(MAX_AGE_SETTING + " must not be negative, was " + maxAge);
        }
        this.maxAge = maxAge;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Whether anything is batched. */
    boolean enabled() {
        return !maxAge.isZero();
    }

    /**
     * The answer to {@code query} of {@code provider} for a check due at {@code due}: the last one
     * asked at or after {@code due - maxAge} and after {@code previousCheck} (the canary's previous
     * check was recorded then, so a check never reads the answer the one before it read: a failure
     * being confirmed at the evidence pace gets new data), waited for if still in flight, or else a
     * new one, asked by this thread.
     */
    BatchAnswer answer(MetricsProvider provider, String query, List<String> labels, Instant due, Optional<Instant> previousCheck)
            throws MetricQueryException {
        Key key = new Key(provider, query);
        Asked asked;
        boolean mine = false;
        synchronized (latest) {
            Asked last = latest.get(key);
            asked = last;
            if (last == null || last.at().isBefore(due.minus(maxAge))
                    || previousCheck.filter(previous -> !last.at().isAfter(previous)).isPresent()) {
                Instant now = clock.instant();
                latest.values().removeIf(old -> old.answer().isDone() && old.at().isBefore(now.minus(maxAge)));
                asked = new Asked(now, new CompletableFuture<>());
                latest.put(key, asked);
                mine = true;
            }
        }
        if (mine) {
            metrics.sent(AnalysisMetrics.BATCHED);
            try {
                asked.answer().complete(new BatchAnswer(asked.at(), provider.queryVector(query, labels)));
            } catch (MetricQueryException | RuntimeException e) {
                asked.answer().completeExceptionally(e);
            }
        }
        try {
            return asked.answer().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof MetricQueryException failed) {
                // Each waiting check gets its own exception, with the one message.
                throw new MetricQueryException(failed.kind(), failed.getMessage());
            }
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE, "the batched query failed: " + e.getCause());
        }
    }
}
