package dev.ramp.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * Queries Prometheus's HTTP API (instant queries). Each call has a timeout; a provider that
 * cannot be reached is retried with exponential backoff, and a circuit breaker stops hammering
 * one that keeps failing. A query Prometheus refuses is not retried: its error is quoted.
 */
public class PrometheusProvider implements MetricsProvider {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String address;
    private final String authorization;
    private final HttpClient http;
    private final Duration timeout;
    private final Retry retry;
    private final CircuitBreaker breaker;

    public PrometheusProvider(String address, String authorization, Duration timeout) {
        this.address = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        this.authorization = authorization;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.retry = Retry.of("prometheus", RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2.0))
                .retryOnException(e -> e instanceof MetricQueryException q && q.kind() == MetricQueryException.Kind.UNAVAILABLE)
                .build());
        this.breaker = CircuitBreaker.of("prometheus", CircuitBreakerConfig.custom()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(60)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .recordException(e -> e instanceof MetricQueryException q && q.kind() == MetricQueryException.Kind.UNAVAILABLE)
                .build());
    }

    public String address() {
        return address;
    }

    @Override
    public OptionalDouble query(String query) throws MetricQueryException {
        try {
            return Retry.decorateCheckedSupplier(retry, () -> breaker.executeCheckedSupplier(() -> once(query))).get();
        } catch (MetricQueryException e) {
            throw e;
        } catch (CallNotPermittedException e) {
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE,
                    "Prometheus at " + address + " keeps failing; not asked again for a while");
        } catch (Throwable e) {
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE, "Prometheus at " + address + ": " + e);
        }
    }

    private OptionalDouble once(String query) throws MetricQueryException {
        URI uri = URI.create(address + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE,
                    "Prometheus at " + address + " unreachable: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetricQueryException(MetricQueryException.Kind.UNAVAILABLE, "interrupted");
        }
        return parse(response.statusCode(), response.body());
    }

    private OptionalDouble parse(int code, String body) throws MetricQueryException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new MetricQueryException(code >= 500 ? MetricQueryException.Kind.UNAVAILABLE : MetricQueryException.Kind.REJECTED,
                    "Prometheus at " + address + " answered HTTP " + code + " that is not JSON");
        }
        if (!"success".equals(root.path("status").asText())) {
            // 4xx: Prometheus refused the query itself; 5xx: it could not answer now.
            var kind = code >= 500 ? MetricQueryException.Kind.UNAVAILABLE : MetricQueryException.Kind.REJECTED;
            throw new MetricQueryException(kind, "Prometheus rejected the query: " + root.path("errorType").asText()
                    + ": " + root.path("error").asText());
        }
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
        double number = Double.parseDouble(value.asText());
        return Double.isNaN(number) || Double.isInfinite(number) ? OptionalDouble.empty() : OptionalDouble.of(number);
    }
}
