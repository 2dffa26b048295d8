package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/** What a user reads from a Rollout's status, from the resource as the API server returns it. */
public record RolloutView(String phase, int canaryWeight, int failedChecks, String revertCommit,
        List<Map<String, Object>> metrics, List<Map<String, Object>> conditions, Map<String, Object> rollbackCause) {

    @SuppressWarnings("unchecked")
    static RolloutView of(GenericKubernetesResource rollout) {
        Map<String, Object> status = rollout == null ? null
                : (Map<String, Object>) rollout.getAdditionalProperties().get("status");
        if (status == null) {
            return new RolloutView(null, 0, 0, null, List.of(), List.of(), Map.of());
        }
        return new RolloutView((String) status.get("phase"), number(status.get("canaryWeight")),
                number(status.get("failedChecks")), (String) ((Map<String, Object>) status.getOrDefault("gitRevert", Map.of())).get("commit"),
                (List<Map<String, Object>>) status.getOrDefault("metrics", List.of()),
                (List<Map<String, Object>>) status.getOrDefault("conditions", List.of()),
                (Map<String, Object>) status.getOrDefault("rollbackCause", Map.of()));
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }

    public boolean conditionTrue(String type) {
        return conditions.stream().anyMatch(c -> type.equals(c.get("type")) && "True".equals(c.get("status")));
    }

    /** The condition of this type as status holds it (type, status, reason, message), or an empty map. */
    public Map<String, Object> condition(String type) {
        return conditions.stream().filter(c -> type.equals(c.get("type"))).findFirst().orElse(Map.of());
    }

    /** status.rollbackCause's reason (e.g. {@code AnalysisFailed}), or null. */
    public String rollbackReason() {
        return (String) rollbackCause.get("reason");
    }

    /** status.rollbackCause's metric: the one that failed the release, when a metric did; or null. */
    public String rollbackMetric() {
        return (String) rollbackCause.get("metric");
    }

    /** e.g. {@code request-success-rate=100 request-duration=24.8 error-percent=0}. */
    public String metricValues() {
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> m : metrics) {
            Object value = m.get("value");
            out.append(out.isEmpty() ? "" : " ").append(m.get("name")).append('=')
                    .append(value instanceof Number n ? String.format("%.1f", n.doubleValue()) : "n/a")
                    .append(m.get("verdict") == null || "Passed".equals(m.get("verdict")) ? "" : "(" + m.get("verdict") + ")");
        }
        return out.toString();
    }
}
