package dev.ramp.analysis;

import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.Rollout;
import dev.ramp.api.ThresholdRange;
import dev.ramp.rollout.Durations;
import dev.ramp.rollout.RolloutNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Runs a Rollout's metric checks: resolves each metric's query (built in, or a MetricTemplate's),
 * asks the provider and compares the value with the threshold range. A query with no data, a
 * missing template, a rejected query or an unreachable provider is a failed check, never a pass;
 * each says why with a {@link CheckFailure}.
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
        List<MetricOutcome> outcomes = new ArrayList<>();
        var spec = rollout.getSpec().getAnalysis();
        if (spec == null || spec.getMetrics() == null) {
            return new CheckResult(outcomes);
        }
        Duration interval = Durations.parse(spec.getInterval() == null ? "30s" : spec.getInterval());
        for (MetricCheck check : spec.getMetrics()) {
            MetricOutcome outcome = check(rollout, check, interval);
            if (outcome.failure() != null && outcome.failure() != CheckFailure.OUT_OF_RANGE) {
                metrics.failed(rollout, check.getName(), outcome.failure());
            }
            outcomes.add(outcome);
        }
        return new CheckResult(outcomes);
    }

    private MetricOutcome check(Rollout rollout, MetricCheck check, Duration analysisInterval) {
        ThresholdRange range = check.getThresholdRange();
        Query query;
        try {
            query = resolve(rollout, check, analysisInterval);
        } catch (UnresolvedMetric e) {
            return MetricOutcome.failed(check.getName(), null, range, e.failure, e.getMessage());
        }
        OptionalDouble value;
        Timer.Sample sample = metrics.start();
        try {
            value = query.provider().query(query.text());
        } catch (MetricQueryException e) {
            CheckFailure failure = e.kind() == MetricQueryException.Kind.REJECTED
                    ? CheckFailure.QUERY_REJECTED : CheckFailure.PROVIDER_UNAVAILABLE;
            return MetricOutcome.failed(check.getName(), null, range, failure, query.source() + e.getMessage());
        } finally {
            metrics.queried(sample, rollout, check.getName());
        }
        if (value.isEmpty()) {
            return MetricOutcome.failed(check.getName(), null, range, CheckFailure.NO_DATA,
                    "no data: the query returned nothing for the canary");
        }
        double v = value.getAsDouble();
        if (range.getMin() != null && v < range.getMin()) {
            return MetricOutcome.failed(check.getName(), v, range, CheckFailure.OUT_OF_RANGE,
                    format(v) + " is below the minimum " + format(range.getMin()));
        }
        if (range.getMax() != null && v > range.getMax()) {
            return MetricOutcome.failed(check.getName(), v, range, CheckFailure.OUT_OF_RANGE,
                    format(v) + " is above the maximum " + format(range.getMax()));
        }
        return MetricOutcome.passed(check.getName(), v, range);
    }

    /** A rendered query, the provider to send it to, and where it came from (for messages). */
    private record Query(MetricsProvider provider, String text, String source) {
    }

    /** A metric that cannot become a query; no provider is asked. */
    private static final class UnresolvedMetric extends Exception {
        private final CheckFailure failure;

        UnresolvedMetric(CheckFailure failure, String message) {
            super(message);
            this.failure = failure;
        }
    }

    private Query resolve(Rollout rollout, MetricCheck check, Duration analysisInterval) throws UnresolvedMetric {
        RolloutNames names = RolloutNames.of(rollout);
        Map<String, String> variables = new HashMap<>();
        variables.put("name", rollout.getMetadata().getName());
        variables.put("namespace", names.namespace());
        variables.put("target", names.target());
        variables.put("service", names.service());
        if (check.getTemplateVariables() != null) {
            check.getTemplateVariables().forEach((k, v) -> variables.put("variables." + k, v));
        }
        try {
            Duration window = check.getInterval() == null ? analysisInterval : Durations.parse(check.getInterval());
            variables.put("interval", Durations.promRange(window));
            if (check.getTemplateRef() == null) {
                String builtin = BuiltinQueries.query(check.getName()).orElseThrow(() -> new IllegalArgumentException(
                        "no built-in metric " + check.getName() + " and no templateRef"));
                return new Query(providers.defaultProvider(), QueryTemplate.render(builtin, variables), "");
            }
            MetricTemplate template = template(rollout, check);
            String source = "MetricTemplate " + template.getMetadata().getNamespace() + "/" + template.getMetadata().getName() + ": ";
            try {
                return new Query(providers.forTemplate(template), QueryTemplate.render(template.getSpec().getQuery(), variables), source);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + e.getMessage(), e);
            }
        } catch (IllegalArgumentException e) {
            throw new UnresolvedMetric(CheckFailure.INVALID_METRIC, e.getMessage());
        }
    }

    private MetricTemplate template(Rollout rollout, MetricCheck check) throws UnresolvedMetric {
        String namespace = check.getTemplateRef().getNamespace() == null ? rollout.getMetadata().getNamespace()
                : check.getTemplateRef().getNamespace();
        String name = check.getTemplateRef().getName();
        MetricTemplate template = client.resources(MetricTemplate.class).inNamespace(namespace).withName(name).get();
        if (template == null) {
            throw new UnresolvedMetric(CheckFailure.TEMPLATE_NOT_FOUND, "MetricTemplate " + namespace + "/" + name
                    + " not found: create it, or fix the metric's templateRef");
        }
        return template;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf((long) v) : String.format("%.3f", v);
    }
}
