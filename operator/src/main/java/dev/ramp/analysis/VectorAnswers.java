package dev.ramp.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ramp.egress.Redaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads a batched query's answer (a vector of many series from {@code /api/v1/query}, or a matrix
 * from {@code /api/v1/query_range}) as it streams past, keeping only each series' values and the
 * labels it was summed by: an answer of thousands of series never becomes a tree of nodes. Errors
 * read as {@link PrometheusProvider}'s do.
 */
final class VectorAnswers {

    private static final JsonFactory JSON = new JsonFactory();

    private VectorAnswers() {
    }

    /** Each series' value by the values of {@code labels}; a value that is not a number (NaN, ±Inf) is left out. */
    static Map<List<String>, Double> read(int code, byte[] body, List<String> labels, String shown) throws MetricQueryException {
        Map<List<String>, Double> values = new HashMap<>();
        parse(code, body, labels, shown, "vector", parser -> number(sample(parser)), (key, value) -> {
            if (Double.isFinite(value)) {
                values.put(key, value);
            }
        });
        return values;
    }

    /**
     * Each series' points by the values of {@code labels}, at most {@code maxPoints} (the latest); a
     * value that is not a number (NaN, ±Inf) is kept as NaN, as a check's own range query keeps it.
     */
    static Map<List<String>, RangeAnswer.Series> readMatrix(int code, byte[] body, List<String> labels, String shown,
            int maxPoints) throws MetricQueryException {
        Map<List<String>, RangeAnswer.Series> series = new HashMap<>();
        parse(code, body, labels, shown, "matrix", parser -> points(parser, maxPoints), series::put);
        return series;
    }

    /** Reads one series' samples, the parser on their array's start. */
    private interface Samples<T> {
        T read(JsonParser parser) throws IOException;
    }

    private static <T> void parse(int code, byte[] body, List<String> labels, String shown, String type, Samples<T> samples,
            BiConsumer<List<String>, T> put) throws MetricQueryException {
        var kind = code >= 500 ? MetricQueryException.Kind.UNAVAILABLE : MetricQueryException.Kind.REJECTED;
        String status = null;
        String resultType = null;
        String errorType = "";
        String error = "";
        try (JsonParser parser = JSON.createParser(body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "status" -> status = parser.getValueAsString();
                    case "errorType" -> errorType = parser.getValueAsString("");
                    case "error" -> error = parser.getValueAsString("");
                    case "data" -> {
                        expect(value, JsonToken.START_OBJECT);
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String dataField = parser.currentName();
                            JsonToken dataValue = parser.nextToken();
                            if ("resultType".equals(dataField)) {
                                resultType = parser.getValueAsString();
                            } else if ("result".equals(dataField) && dataValue == JsonToken.START_ARRAY) {
                                while (parser.nextToken() == JsonToken.START_OBJECT) {
                                    series(parser, labels, "vector".equals(type) ? "value" : "values", samples, put);
                                }
                            } else {
                                parser.skipChildren();
                            }
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException | IllegalStateException e) {
            throw new MetricQueryException(kind, "Prometheus at " + shown + " answered HTTP " + code + " that is not JSON");
        }
        if (!"success".equals(status)) {
            throw new MetricQueryException(kind, "Prometheus rejected the query: " + Redaction.response(errorType + ": " + error));
        }
        if (!type.equals(resultType)) {
            throw new MetricQueryException(MetricQueryException.Kind.REJECTED,
                    "a batched query must return a " + type + ", not a " + resultType);
        }
    }

    /**
     * One series, its object's start read: {@code {"metric": {...}, "value": [time, "value"]}}, or
     * {@code "values": [[time, "value"], ...]} in a matrix.
     */
    private static <T> void series(JsonParser parser, List<String> labels, String samplesField, Samples<T> samples,
            BiConsumer<List<String>, T> put) throws IOException {
        List<String> key = new ArrayList<>(labels.size());
        labels.forEach(label -> key.add(""));
        T read = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken token = parser.nextToken();
            if ("metric".equals(field) && token == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    int at = labels.indexOf(parser.currentName());
                    parser.nextToken();
                    if (at >= 0) {
                        key.set(at, parser.getValueAsString(""));
                    }
                }
            } else if (samplesField.equals(field) && token == JsonToken.START_ARRAY) {
                read = samples.read(parser);
            } else {
                parser.skipChildren();
            }
        }
        if (read != null) {
            put.accept(List.copyOf(key), read);
        }
    }

    /** One sample, {@code [time, "value"]}, the parser on its start: the value's text. */
    private static String sample(JsonParser parser) throws IOException {
        String number = null;
        int index = 0;
        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
            if (element == null) {
                throw new IllegalStateException("the answer ends within a value");
            }
            if (index++ == 1) {
                number = parser.getValueAsString();
            }
            parser.skipChildren();
        }
        return number;
    }

    /** A series' samples, {@code [[time, "value"], ...]}, the parser on the array's start: the latest {@code max}. */
    private static RangeAnswer.Series points(JsonParser parser, int max) throws IOException {
        long[] times = new long[Math.min(16, max)];
        double[] values = new double[times.length];
        int n = 0;
        for (JsonToken point = parser.nextToken(); point != JsonToken.END_ARRAY; point = parser.nextToken()) {
            expect(point, JsonToken.START_ARRAY);
            expect(parser.nextToken(), JsonToken.VALUE_NUMBER_INT, JsonToken.VALUE_NUMBER_FLOAT);
            long time = parser.getDecimalValue().movePointRight(3).longValue();
            expect(parser.nextToken(), JsonToken.VALUE_STRING);
            double value = number(parser.getValueAsString());
            expect(parser.nextToken(), JsonToken.END_ARRAY);
            if (n == max) {
                // More than max: keep the latest, as a check's own range query does.
                System.arraycopy(times, 1, times, 0, n - 1);
                System.arraycopy(values, 1, values, 0, n - 1);
                n--;
            } else if (n == times.length) {
                times = Arrays.copyOf(times, Math.min(times.length * 2, max));
                values = Arrays.copyOf(values, times.length);
            }
            times[n] = time;
            values[n++] = Double.isFinite(value) ? value : Double.NaN;
        }
        return new RangeAnswer.Series(Arrays.copyOf(times, n), Arrays.copyOf(values, n));
    }

    private static double number(String text) {
        try {
            return text == null ? Double.NaN : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static void expect(JsonToken token, JsonToken... expected) {
        if (!Arrays.asList(expected).contains(token)) {
            throw new IllegalStateException("expected " + Arrays.toString(expected) + ", found " + token);
        }
    }
}
