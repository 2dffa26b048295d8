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
 * metric, provider and window, however large N. The judge's range queries of the built-in metrics
 * are batched the same way ({@link #range}), one per metric, step and side. A {@code maxAge} of zero
 * batches nothing.
 */
public final class QueryBatches {

    /** The setting, as the operator's configuration names it. */
    public static final String MAX_AGE_SETTING = "ramp.analysis.batch-max-age";
    /** Its default: a check reads data at most this older than when it was due. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);

    private final Duration maxAge;
    private final Clock clock;
    private final AnalysisMetrics metrics;
    private final Map<Key, Asked<BatchAnswer>> latest = new HashMap<>();
    private final Map<Key, Asked<RangeAnswer>> ranges = new HashMap<>();
    /** The longest lookback a range of each query was asked for, and when; see {@link #range}. */
    private final Map<Key, Lookback> lookbacks = new HashMap<>();

    /** A query, and for a range query its step (null for an instant query). */
    private record Key(MetricsProvider provider, String query, Duration step) {
    }

    /** A query sent at {@code at}, answered or still in flight; a range query's from {@code first}. */
    private record Asked<T>(Instant at, Instant first, CompletableFuture<T> answer) {

        /** Whether a check due at {@code due}, its canary's previous check recorded at {@code previousCheck}, may read it. */
        boolean fresh(Instant due, Duration maxAge, Optional<Instant> previousCheck) {
            return !at.isBefore(due.minus(maxAge)) && previousCheck.filter(previous -> !at.isAfter(previous)).isEmpty();
        }
    }

    /** The longest time before its check a range was asked to start, and when that was last asked. */
    private record Lookback(Duration length, Instant seen) {
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
        Key key = new Key(provider, query, null);
        Asked<BatchAnswer> last;
        Asked<BatchAnswer> asked = null;
        synchronized (latest) {
            last = latest.get(key);
            if (last == null || !last.fresh(due, maxAge, previousCheck)) {
                asked = ask(latest, key, null);
            }
        }
        if (asked == null) {
            return await(last);
        }
        Asked<BatchAnswer> mine = asked;
        return await(send(mine, () -> new BatchAnswer(mine.at(), provider.queryVector(query, labels))));
    }

    /**
     * The answer to the range query {@code query} of {@code provider} at {@code step} for a check due
     * at {@code due} whose range starts at {@code start}: as {@link #answer}, fresh by the same rule,
     * and reaching back to the check's start ({@link RangeGrid#first}); else a new one, asked by this
     * thread from the earliest start it can expect among the checks due within the max age: its own, or
     * the longest lookback asked of this query (remembered for twice its length) before now, less the
     * max age. A check due while it is in flight with a range that starts earlier (a canary of a
     * longer window) asks a new one reaching back to its start; the answer stays at most
     * {@value dev.ramp.api.JudgeSpec#MAX_POINTS} points a series, the most a check's own range reads.
     */
    RangeAnswer range(MetricsProvider provider, String query, List<String> labels, Duration step, Instant start, Instant due,
            Optional<Instant> previousCheck) throws MetricQueryException {
        Key key = new Key(provider, query, step);
        Asked<RangeAnswer> last;
        Asked<RangeAnswer> asked = null;
        synchronized (latest) {
            Instant now = clock.instant();
            Duration lookback = Duration.between(start, due);
            Lookback longest = lookbacks.get(key);
            if (longest == null || lookback.compareTo(longest.length()) >= 0
                    || longest.seen().isBefore(now.minus(longest.length().multipliedBy(2)))) {
                longest = new Lookback(lookback, now);
                lookbacks.put(key, longest);
            }
            last = ranges.get(key);
            if (last == null || !last.fresh(due, maxAge, previousCheck) || !reaches(last, start, step)) {
                Instant expected = now.minus(longest.length()).minus(maxAge);
                Instant first = RangeGrid.first(start.isBefore(expected) ? start : expected, now, step).orElse(null);
                if (first == null) {
                    // No point of the grid up to now: nothing to ask (nor would the check's own range).
                    return new RangeAnswer(now, RangeGrid.alignUp(now, step), step, Map.of());
                }
                asked = ask(ranges, key, first);
            }
        }
        if (asked == null) {
            return await(last);
        }
        Asked<RangeAnswer> mine = asked;
        return await(send(mine, () -> new RangeAnswer(mine.at(), mine.first(), step,
                provider.queryMatrix(query, labels, mine.first(), mine.at(), step))));
    }

    /** Whether {@code asked} holds every point a range from {@code start} to its end has. */
    private static boolean reaches(Asked<RangeAnswer> asked, Instant start, Duration step) {
        return RangeGrid.first(start, asked.at(), step).filter(first -> first.isBefore(asked.first())).isEmpty();
    }

    /** A new query, recorded as the latest of its key; the answers no check can read any more dropped. Holds the lock. */
    private <T> Asked<T> ask(Map<Key, Asked<T>> answers, Key key, Instant first) {
        Instant now = clock.instant();
        answers.values().removeIf(old -> old.answer().isDone() && old.at().isBefore(now.minus(maxAge)));
        lookbacks.values().removeIf(old -> old.seen().isBefore(now.minus(old.length().multipliedBy(2))));
        Asked<T> asked = new Asked<>(now, first, new CompletableFuture<>());
        answers.put(key, asked);
        return asked;
    }

    private interface Query<T> {
        T send() throws MetricQueryException;
    }

    /** Sends the query of {@code asked} (this thread asked it), its answer or error completing it for every waiting check. */
    private <T> Asked<T> send(Asked<T> asked, Query<T> query) {
        metrics.sent(AnalysisMetrics.BATCHED);
        try {
            asked.answer().complete(query.send());
        } catch (MetricQueryException | RuntimeException e) {
            asked.answer().completeExceptionally(e);
        }
        return asked;
    }

    private static <T> T await(Asked<T> asked) throws MetricQueryException {
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
