package dev.ramp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A batched answer read as it streams: the values by the summed labels, and Prometheus' refusals as a check's own query reads them. */
class VectorAnswersTest {

    private static final List<String> LABELS = List.of("namespace", "workload");

    @Test
    void eachSeriesIsKeptByItsLabelsAndWhatIsNotANumberIsLeftOut() throws Exception {
        String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"workload\":\"podinfo\",\"namespace\":\"shop\",\"le\":\"5\"},\"value\":[1.5,\"99.5\"]},"
                + "{\"metric\":{\"namespace\":\"team\"},\"value\":[1.5,\"3\"]},"
                + "{\"metric\":{\"namespace\":\"shop\",\"workload\":\"cart\"},\"value\":[1.5,\"NaN\"]},"
                + "{\"metric\":{\"namespace\":\"shop\",\"workload\":\"api\"},\"value\":[1.5,\"+Inf\"]}]},\"warnings\":[\"w\"]}";

        assertThat(read(200, body)).isEqualTo(Map.of(List.of("shop", "podinfo"), 99.5, List.of("team", ""), 3.0));
    }

    @Test
    void aRefusalIsTheQuerysFaultAndAServerErrorAnOutage() {
        String refused = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}";

        assertThatThrownBy(() -> read(400, refused)).isInstanceOfSatisfying(MetricQueryException.class, e -> {
            assertThat(e.kind()).isEqualTo(MetricQueryException.Kind.REJECTED);
            assertThat(e.getMessage()).isEqualTo("Prometheus rejected the query: bad_data: parse error");
        });
        assertThatThrownBy(() -> read(503, "<html>down</html>")).isInstanceOfSatisfying(MetricQueryException.class, e -> {
            assertThat(e.kind()).isEqualTo(MetricQueryException.Kind.UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo("Prometheus at http://prometheus:9090 answered HTTP 503 that is not JSON");
        });
    }

    @Test
    void anAnswerCutShortOrOfAnotherTypeIsRefused() {
        String matrix = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
        String cut = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1.5,";

        assertThatThrownBy(() -> read(200, matrix)).hasMessage("a batched query must return a vector, not a matrix");
        assertThatThrownBy(() -> read(200, cut)).hasMessage("Prometheus at http://prometheus:9090 answered HTTP 200 that is not JSON");
    }

    @Test
    void aMatrixKeepsEachSeriesPointsByItsLabelsWithWhatIsNotANumberAsNaNAndTheLatestPointsOnly() throws Exception {
        String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"workload\":\"podinfo\",\"namespace\":\"shop\"},\"values\":[[1796353170,\"1\"],[1796353200.5,\"NaN\"],"
                + "[1796353230,\"+Inf\"],[1796353260,\"4\"]]},"
                + "{\"values\":[[1796353200,\"7\"]],\"metric\":{\"namespace\":\"team\"}}]}}";

        Map<List<String>, RangeAnswer.Series> series = VectorAnswers.readMatrix(200, body.getBytes(StandardCharsets.UTF_8), LABELS,
                "http://prometheus:9090", 3);

        assertThat(series).containsOnlyKeys(List.of("shop", "podinfo"), List.of("team", ""));
        // At most 3 points a series: the latest.
        assertThat(series.get(List.of("shop", "podinfo")).times()).containsExactly(1796353200500L, 1796353230000L, 1796353260000L);
        assertThat(series.get(List.of("shop", "podinfo")).values()).containsExactly(Double.NaN, Double.NaN, 4);
        assertThat(series.get(List.of("team", "")).values()).containsExactly(7);
        String vector = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
        assertThatThrownBy(() -> VectorAnswers.readMatrix(200, vector.getBytes(StandardCharsets.UTF_8), LABELS, "http://prometheus:9090", 3))
                .hasMessage("a batched query must return a matrix, not a vector");
    }

    private static Map<List<String>, Double> read(int code, String body) throws MetricQueryException {
        return VectorAnswers.read(code, body.getBytes(StandardCharsets.UTF_8), LABELS, "http://prometheus:9090");
    }
}
