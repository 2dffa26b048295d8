package dev.ramp.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ramp.egress.BoundedExchange;
import dev.ramp.egress.EgressDeniedException;
import dev.ramp.egress.EgressPolicy;
import dev.ramp.egress.Redaction;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.apache.hc.client5.http.classic.methods.HttpGet;

/**
 * Queries Prometheus's HTTP API (instant queries, and range queries for the judge), once per call, with a timeout that covers the
 * whole exchange, body included, and reading at most {@value #MAX_ANSWER_BYTES} bytes of the
 * answer ({@link BoundedExchange}): the caller's next check is the retry, so no reconcile thread
 * sleeps here. A circuit breaker stops hammering
 * a Prometheus that keeps failing; each template and credential has its own (see {@link Providers}),
 * so one tenant's slow queries cannot open it for others. A query Prometheus refuses is quoted,
 * control characters removed and cut short ({@link Redaction#response}); the address is shown
 * redacted. Each query connects only to the addresses the {@link EgressPolicy} checked for it
 * ({@link BoundedExchange}: one lookup, no second resolution), and redirects are not followed. A
 * MetricTemplate's address is checked as a tenant's URL; the operator's own Prometheus as trusted.
 */
public class PrometheusProvider implements MetricsProvider {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The most bytes of an answer read: an instant query's one number fits many times over, and a
     * larger answer is refused, never parsed.
     */
    public static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    /**
     * The most bytes of a batched query's answer read ({@link #queryVector}): one series per workload
     * and revision of the mesh, about 160 to 260 bytes each with Istio's three labels, so 30,000 to
     * 50,000 series; held only while parsed, streamed into a map of the series' values, never a tree.
     */
    public static final int MAX_BATCH_ANSWER_BYTES = 8 * 1024 * 1024;

    /** The most points a range query asks for and reads per series: as many as the judge keeps a side. */
    public static final int MAX_POINTS = dev.ramp.api.JudgeSpec.MAX_POINTS;

    private final String address;
    private final String shown;
    private final String authorization;
    private final EgressPolicy egress;
    private final String field;
    private final Duration timeout;
    private final CircuitBreaker breaker;

    /**
     * @param egress the policy the address is checked against: a tenant's namespace's for a
     *     MetricTemplate's address, {@link EgressPolicy#trusted()} for the operator's own
     * @param field where the address comes from, named in a refusal (MetricTemplate team-a/latency spec.provider.address)
     */
    public PrometheusProvider(String address, String authorization, Duration timeout, EgressPolicy egress, String field) {
        this.address = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        this.shown = Redaction.url(this.address);
        this.authorization = authorization;
        this.egress = egress;
        this.field = field;
        this.timeout = timeout;
        this.breaker = CircuitBreaker.of("prometheus", CircuitBreakerConfig.custom()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(60)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .recordException(e -> e instanceof MetricQueryException q && q.kind() == MetricQueryException.Kind.UNAVAILABLE)
                .build());
    }

    @Override
    public OptionalDouble query(String query) throws MetricQueryException {
        return guarded(() -> parse(exchange("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8), "one number")));
    }

    /**
     * A batched query: an instant query whose answer is many series, read through the same
     * breaker, deadline and errors, at most {@value #MAX_BATCH_ANSWER_BYTES} bytes of it.
     */
    @Override
    public Map<List<String>, Double> queryVector(String query, List<String> labels) throws MetricQueryException {
        return guarded(() -> {
            BoundedExchange.Answer answer = send("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8),
                    MAX_BATCH_ANSWER_BYTES, "one series per workload and revision");
            return VectorAnswers.read(answer.status(), answer.body(), labels, shown);
        });
    }

    /**
     * A range query ({@code /api/v1/query_range}), through the same bounded exchange, breaker and
     * errors as an instant query, on the {@link RangeGrid}: from the first multiple of the step at or
     * after {@code start}, and at most {@value #MAX_POINTS} steps (a longer range starts later), so
     * the answer stays far below the byte bound. When no point of the grid lies up to {@code end},
     * nothing is asked.
     */
    @Override
    public double[] queryRange(String query, Instant start, Instant end, Duration step) throws MetricQueryException {
        if (step.isZero() || step.isNegative()) {
            throw new IllegalArgumentException("step must be positive, was " + step);
        }
        var first = RangeGrid.first(start, end, step);
        if (first.isEmpty()) {
            return new double[0];
        }
        return guarded(() -> parseMatrix(exchange(rangePath(query, first.get(), end, step), "one series")));
    }

    /**
     * A batched range query: its answer of many series read as {@link #queryVector}'s is, at most
     * {@value #MAX_BATCH_ANSWER_BYTES} bytes, streamed into each series' points (at most
     * {@value #MAX_POINTS}).
     */
    @Override
    public Map<List<String>, RangeAnswer.Series> queryMatrix(String query, List<String> labels, Instant first, Instant end,
            Duration step) throws MetricQueryException {
        return guarded(() -> {
            BoundedExchange.Answer answer = send(rangePath(query, first, end, step), MAX_BATCH_ANSWER_BYTES,
                    "one series per workload and revision");
            return VectorAnswers.readMatrix(answer.status(), answer.body(), labels, shown, MAX_POINTS);
        });
    }

    private static String rangePath(String query, Instant first, Instant end, Duration step) {
        return "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + seconds(first)
                + "&end=" + seconds(end) + "&step=" + seconds(step);
    }

    /** One call through the breaker; anything but a {@link MetricQueryException} is the provider unavailable. */
    private <T> T guarded(io.github.resilience4j.core.functions.CheckedSupplier<T> call) throws MetricQueryException {
        try {
            return breaker.executeCheckedSupplier(call);
        } catch (MetricQueryException e) {
            throw e;
        } catch (CallNotPermittedException e) {
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE,
                    "Prometheus at " + shown + " keeps failing; not asked again for a while");
        } catch (Throwable e) {
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE, "Prometheus at " + shown + ": "
                    + Redaction.response(String.valueOf(e)));
        }
    }

    private static String seconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3).toPlainString();
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).toPlainString();
    }

    /** Whether this provider sends these credentials (null: none). */
    boolean authorizedAs(String authorization) {
        return Objects.equals(this.authorization, authorization);
    }

    /**
     * The answer's root, once its status says success; every failure as a {@link MetricQueryException}.
     * {@code expected} is what the query must return, named when the answer is too large.
     */
    private JsonNode exchange(String pathAndQuery, String expected) throws MetricQueryException {
        BoundedExchange.Answer answer = send(pathAndQuery, MAX_ANSWER_BYTES, expected);
        return success(answer.status(), answer.text());
    }

    /** The answer of at most {@code limit} bytes, whatever its status; every failure to get one as a {@link MetricQueryException}. */
    private BoundedExchange.Answer send(String pathAndQuery, int limit, String expected) throws MetricQueryException {
        URI uri = URI.create(address + pathAndQuery);
        HttpGet request = new HttpGet(uri);
        if (authorization != null) {
            request.setHeader("Authorization", authorization);
        }
        BoundedExchange.Answer answer;
        try {
            answer = BoundedExchange.send(egress, request, timeout, limit);
        } catch (EgressDeniedException e) {
            throw new MetricQueryException(MetricQueryException.Kind.DENIED, "Prometheus at " + shown + " not asked: "
                    + field + ": " + e.getMessage());
        } catch (BoundedExchange.DeadlineExceeded e) {
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE,
                    "Prometheus at " + shown + " timed out after " + timeout.toMillis() + "ms");
        } catch (IOException e) {
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE,
                    "Prometheus at " + shown + " unreachable: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : Redaction.response(e.getMessage())));
        }
        if (answer.cut()) {
            throw new MetricQueryException(answer.status() >= 500 ? MetricQueryException.Kind.UNAVAILABLE
                    : MetricQueryException.Kind.REJECTED, "Prometheus at " + shown + " answered HTTP " + answer.status()
                    + " with more than " + limit / (1024 * 1024) + " MiB; Ramp reads no more"
                    + " (the query must return " + expected + ")");
        }
        return answer;
    }

    private JsonNode success(int code, String body) throws MetricQueryException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new MetricQueryException(code >= 500 ? MetricQueryException.Kind.UNAVAILABLE : MetricQueryException.Kind.REJECTED,
                    "Prometheus at " + shown + " answered HTTP " + code + " that is not JSON");
        }
        if (!"success".equals(root.path("status").asText())) {
            // 4xx: Prometheus refused the query itself; 5xx: it could not answer now.
            var kind = code >= 500 ? MetricQueryException.Kind.UNAVAILABLE : MetricQueryException.Kind.REJECTED;
            throw new MetricQueryException(kind, "Prometheus rejected the query: "
                    + Redaction.response(root.path("errorType").asText() + ": " + root.path("error").asText()));
        }
        return root;
    }

    /** A range query's one series, its values in time order. */
    private static double[] parseMatrix(JsonNode root) throws MetricQueryException {
        JsonNode data = root.path("data");
        if (!"matrix".equals(data.path("resultType").asText())) {
            throw new MetricQueryException(MetricQueryException.Kind.REJECTED,
                    "a range query must return one series, not a " + data.path("resultType").asText());
        }
        JsonNode result = data.path("result");
        if (result.size() > 1) {
            throw new MetricQueryException(MetricQueryException.Kind.REJECTED, "the query returned " + result.size()
                    + " series; it must return one (aggregate it, e.g. with sum())");
        }
        if (result.isEmpty()) {
            return new double[0];
        }
        JsonNode values = result.get(0).path("values");
        double[] points = new double[Math.min(values.size(), MAX_POINTS)];
        int skip = values.size() - points.length;
        for (int i = 0; i < points.length; i++) {
            points[i] = number(values.get(skip + i).get(1).asText());
        }
        return points;
    }

    /** A sample's value; Prometheus writes +Inf, -Inf and NaN, which Java spells otherwise: all NaN here. */
    private static double number(String text) {
        try {
            double v = Double.parseDouble(text);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private OptionalDouble parse(JsonNode root) throws MetricQueryException {
        JsonNode data = root.path("data");
        JsonNode value = switch (data.path("resultType").asText()) {
            case "vector" -> data.path("result").isEmpty() ? null : data.path("result").get(0).path("value").get(1);
            case "scalar" -> data.path("result").get(1);
            default -> throw new MetricQueryException(MetricQueryException.Kind.REJECTED,
                    "the query must return one number, not a " + data.path("resultType").asText());
        };
        if (value == null) {
            return OptionalDouble.empty();
        }
        double number;
        try {
            number = Double.parseDouble(value.asText());
        } catch (NumberFormatException e) {
            // Prometheus writes +Inf, -Inf and NaN, which Java spells otherwise.
            return OptionalDouble.empty();
        }
        if (data.path("result").size() > 1 && "vector".equals(data.path("resultType").asText())) {
            throw new MetricQueryException(MetricQueryException.Kind.REJECTED, "the query returned "
                    + data.path("result").size() + " series; it must return one number (aggregate it, e.g. with sum())");
        }
        return Double.isNaN(number) || Double.isInfinite(number) ? OptionalDouble.empty() : OptionalDouble.of(number);
    }
}
