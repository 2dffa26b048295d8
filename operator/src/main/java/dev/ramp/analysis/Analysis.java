package dev.ramp.analysis;

import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.Rollout;
import dev.ramp.api.ThresholdRange;
import dev.ramp.rollout.Durations;
import dev.ramp.rollout.RolloutNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Runs a Rollout's metric checks: resolves each metric's query (built in, or a MetricTemplate's),
 * asks the provider and compares the value with the threshold range. A query with no data, a
 * missing template, a rejected query or an unreachable provider is a failed check, never a pass.
 */
public class Analysis {

    private final KubernetesClient client;
    private final Providers providers;
    private final AnalysisMetrics metrics;

    public Analysis(KubernetesClient client, Providers providers, AnalysisMetrics metrics) {
        this.client = client;
        this.providers = providers;
        this.metrics = metrics;
    }

    public CheckResult run(Rollout rollout) {
        List<MetricStatus> results = new ArrayList<>();
        var spec = rollout.getSpec().getAnalysis();
        if (spec == null || spec.getMetrics() == null) {
            return new CheckResult(results);
        }
        Duration interval = Durations.parse(spec.getInterval());
        for (MetricCheck check : spec.getMetrics()) {
            results.add(check(rollout, check, interval));
        }
        return new CheckResult(results);
    }

    private MetricStatus check(Rollout rollout, MetricCheck check, Duration analysisInterval) {
        ThresholdRange range = check.getThresholdRange();
        try {
            Query query = resolve(rollout, check, analysisInterval);
            long started = System.nanoTime();
            OptionalDouble value;
            try {
                value = query.provider().query(query.text());
            } finally {
                metrics.queried(Duration.ofNanos(System.nanoTime() - started));
            }
            if (value.isEmpty()) {
                metrics.failed();
                return new MetricStatus(check.getName(), null, range, false, "no data: the query returned nothing for the canary");
            }
            double v = value.getAsDouble();
            boolean low = range.getMin() != null && v < range.getMin();
            boolean high = range.getMax() != null && v > range.getMax();
            String message = low ? format(v) + " is below the minimum " + format(range.getMin())
                    : high ? format(v) + " is above the maximum " + format(range.getMax()) : "within range";
            return new MetricStatus(check.getName(), v, range, !low && !high, message);
        } catch (MetricQueryException e) {
            metrics.failed();
            return new MetricStatus(check.getName(), null, range, false, e.getMessage());
        } catch (IllegalArgumentException e) {
            return new MetricStatus(check.getName(), null, range, false, e.getMessage());
        }
    }

    private record Query(MetricsProvider provider, String text) {
    }

    private Query resolve(Rollout rollout, MetricCheck check, Duration analysisInterval) throws MetricQueryException {
        RolloutNames names = RolloutNames.of(rollout);
        Duration window = check.getInterval() == null ? analysisInterval : Durations.parse(check.getInterval());
        Map<String, String> variables = new HashMap<>();
        variables.put("name", rollout.getMetadata().getName());
        variables.put("namespace", names.namespace());
        variables.put("target", names.target());
        variables.put("service", names.service());
        variables.put("interval", Durations.promRange(window));
        if (check.getTemplateVariables() != null) {
            check.getTemplateVariables().forEach((k, v) -> variables.put("variables." + k, v));
        }
        if (check.getTemplateRef() == null) {
            String builtin = BuiltinQueries.query(check.getName()).orElseThrow(() -> new IllegalArgumentException(
                    "no built-in metric " + check.getName() + " and no templateRef"));
            return new Query(providers.defaultProvider(), QueryTemplate.render(builtin, variables));
        }
        String namespace = check.getTemplateRef().getNamespace() == null ? names.namespace() : check.getTemplateRef().getNamespace();
        MetricTemplate template = client.resources(MetricTemplate.class).inNamespace(namespace)
                .withName(check.getTemplateRef().getName()).get();
        if (template == null) {
            throw new IllegalArgumentException("MetricTemplate " + namespace + "/" + check.getTemplateRef().getName() + " not found");
        }
        return new Query(providers.forTemplate(template), QueryTemplate.render(template.getSpec().getQuery(), variables));
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf((long) v) : String.format("%.3f", v);
    }
}
