package dev.ramp.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ramp.egress.Redaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a batched query's answer ({@code /api/v1/query}, a vector of many series) as it streams
 * past, keeping only each series' value and the labels it was summed by: an answer of thousands
 * of series never becomes a tree of nodes. Errors read as {@link PrometheusProvider}'s do.
 */
final class VectorAnswers {

    private static final JsonFactory JSON = new JsonFactory();

    private VectorAnswers() {
    }

    /** Each series' value by the values of {@code labels}; a value that is not a number (NaN, ±Inf) is left out. */
    static Map<List<String>, Double> read(int code, byte[] body, List<String> labels, String shown) throws MetricQueryException {
        var kind = code >= 500 ? MetricQueryException.Kind.UNAVAILABLE : MetricQueryException.Kind.REJECTED;
        Map<List<String>, Double> values = new HashMap<>();
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
                                    series(parser, labels, values);
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
        if (!"vector".equals(resultType)) {
            throw new MetricQueryException(MetricQueryException.Kind.REJECTED,
                    "a batched query must return a vector, not a " + resultType);
        }
        return values;
    }

    /** One series, its object's start read: {@code {"metric": {...}, "value": [time, "value"]}}. */
    private static void series(JsonParser parser, List<String> labels, Map<List<String>, Double> values) throws IOException {
        List<String> key = new ArrayList<>(labels.size());
        labels.forEach(label -> key.add(""));
        String number = null;
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
            } else if ("value".equals(field) && token == JsonToken.START_ARRAY) {
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
            } else {
                parser.skipChildren();
            }
        }
        double value = number(number);
        if (Double.isFinite(value)) {
            values.put(List.copyOf(key), value);
        }
    }

    private static double number(String text) {
        try {
            return text == null ? Double.NaN : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static void expect(JsonToken token, JsonToken expected) {
        if (token != expected) {
            throw new IllegalStateException("expected " + expected + ", found " + token);
        }
    }
}
