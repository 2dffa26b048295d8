package dev.ramp.analysis;

import dev.ramp.api.MetricCheck;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricTemplate;
import dev.ramp.api.Rollout;
import dev.ramp.api.RoutingProvider;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.RolloutSpec;
import dev.ramp.api.Durations;
import dev.ramp.api.Timestamps;
import dev.ramp.kube.References;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A metric of a Rollout made into a query for one side: the built-in query on the Rollout's data
 * plane ({@link BuiltinQueries}: its value over the window, or one point of the judge's series), or
 * its MetricTemplate's, rendered with the variables of the Rollout and of the side measured
 * ({@link Side}: the canary, or the primary the judge compares it with), and the provider to ask.
 * A template in another namespace is not even read unless the operator allows cross-namespace
 * references ({@link References}); variables are rendered so that they cannot change a query's
 * structure ({@link QueryTemplate}).
 */
final class MetricQueries {

    private final Providers providers;
    private final References references;
    private final GatewayApiImplementation gatewayApi;

    MetricQueries(Providers providers, References references, GatewayApiImplementation gatewayApi) {
        this.providers = providers;
        this.references = references;
        this.gatewayApi = gatewayApi;
    }

    /**
     * A rendered query, the provider to send it to, where it came from (for messages), whether it
     * selects the revision, and what a message of no data says it found nothing for.
     */
    record Query(MetricsProvider provider, String text, String source, boolean selectsRevision, String noData) {
    }

    /** A metric that cannot become a query; no provider is asked. */
    static final class UnresolvedMetric extends Exception {
        private final CheckFailure failure;

        CheckFailure failure() {
            return failure;
        }

        UnresolvedMetric(CheckFailure failure, String message) {
            super(message);
            this.failure = failure;
        }
    }

    /**
     * The variables a query may use: name, namespace, target, service, canaryService, revision,
     * interval, windowStart and releaseStart (Unix seconds: the later of the release's start and
     * one window before {@code now}, and the release's start), variables.*.
     */
    static Map<String, String> variables(Rollout rollout, String revision, MetricCheck check, Duration window,
            Instant now) {
        return variables(rollout, Side.canary(RolloutNames.of(rollout), revision), check, window, now);
    }

    /**
     * The variables, with those of the side a query measures: {@code revision}, {@code workload}
     * (the side's Deployment), {@code workloadService} (its Service) and {@code side}; for the
     * canary, its revision, the target and the canary Service.
     */
    static Map<String, String> variables(Rollout rollout, Side side, MetricCheck check, Duration window, Instant now) {
        RolloutNames names = RolloutNames.of(rollout);
        String revision = side.revision();
        Instant windowStart = now.minus(window);
        Instant releaseStart = releaseStart(rollout).orElse(windowStart);
        Map<String, String> variables = new HashMap<>();
        variables.put("name", rollout.getMetadata().getName());
        variables.put("namespace", names.namespace());
        variables.put("target", names.target());
        variables.put("service", names.service());
        variables.put("canaryService", names.canaryService());
        variables.put("revision", revision);
        variables.put("workload", side.workload());
        variables.put("workloadService", side.workloadService());
        variables.put("side", side.name());
        variables.put("interval", Durations.promRange(window));
        variables.put("windowStart", unixSeconds(releaseStart.isAfter(windowStart) ? releaseStart : windowStart));
        variables.put("releaseStart", unixSeconds(releaseStart));
        if (check != null && check.getTemplateVariables() != null) {
            check.getTemplateVariables().forEach((k, v) -> variables.put("variables." + k, v));
        }
        return variables;
    }

    Query resolve(Rollout rollout, String revision, MetricCheck check, Duration analysisInterval,
            TemplateLookup templates, Instant now, String field) throws UnresolvedMetric {
        Duration window = check.getInterval() == null ? analysisInterval : Durations.parse(check.getInterval());
        return resolve(rollout, Side.canary(RolloutNames.of(rollout), revision), check, window, false, templates, now, field);
    }

    /**
     * The query of {@code check} for one side over {@code window} ({@code {{ interval }}}); with
     * {@code point}, a built-in metric's query is its point of the judge's series.
     */
    Query resolve(Rollout rollout, Side side, MetricCheck check, Duration window, boolean point,
            TemplateLookup templates, Instant now, String field) throws UnresolvedMetric {
        String revision = side.revision();
        try {
            Map<String, String> variables = variables(rollout, side, check, window, now);
            if (check.getTemplateRef() == null) {
                return builtin(rollout, revision, check.getName(), variables, point);
            }
            MetricTemplate template = template(rollout, check, templates, field);
            String source = "MetricTemplate " + template.getMetadata().getNamespace() + "/" + template.getMetadata().getName() + ": ";
            try {
                String text = template.getSpec().getQuery();
                return new Query(providers.forTemplate(template), QueryTemplate.render(text, variables), source,
                        QueryTemplate.uses(text, "revision"), "the canary's revision " + revision);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + e.getMessage(), e);
            }
        } catch (IllegalArgumentException e) {
            throw new UnresolvedMetric(CheckFailure.INVALID_METRIC, e.getMessage());
        }
    }

    /** A built-in metric's query on the Rollout's data plane. */
    private Query builtin(Rollout rollout, String revision, String metric, Map<String, String> variables, boolean point) {
        boolean known = BuiltinQueries.SUCCESS_RATE.equals(metric) || BuiltinQueries.DURATION.equals(metric);
        if (!known) {
            throw new IllegalArgumentException("no built-in metric " + metric + " and no templateRef");
        }
        BuiltinQueries builtin = presets(rollout).orElseThrow(() -> new IllegalArgumentException("a built-in metric, and "
                + noPresets(rollout) + ": give spec.analysis.metrics[" + metric + "] a templateRef to a MetricTemplate that measures"
                + " it there (" + (rollout.getSpec().getService().effectiveProvider() == RoutingProvider.None
                        ? "docs/no-mesh.md#metrics has one on the app's own metrics" : "docs/gateway-api.md#metrics has one for Envoy Gateway")
                + ")"));
        String text = (point ? builtin.point(metric) : builtin.query(metric)).orElseThrow();
        return new Query(providers.defaultProvider(), QueryTemplate.render(text, variables), "", true,
                builtin.noData(RolloutNames.of(rollout), revision));
    }

    /** The built-in queries on the Rollout's data plane: Istio's, or the Gateway API implementation's; empty when it has none. */
    Optional<BuiltinQueries> presets(Rollout rollout) {
        return switch (rollout.getSpec().getService().effectiveProvider()) {
            case GatewayAPI -> gatewayApi.presets();
            // No mesh, no proxy: nothing but the app itself sees the requests.
            case None -> Optional.empty();
            case Istio -> Optional.of(IstioQueries.INSTANCE);
        };
    }

    String noPresets(Rollout rollout) {
        if (rollout.getSpec().getService().effectiveProvider() == RoutingProvider.None) {
            return "with spec.service.provider None no mesh or proxy sees the requests, so there is no telemetry to count"
                    + " them in (docs/no-mesh.md#metrics)";
        }
        return "the operator's Gateway API implementation, " + gatewayApi.name() + " (" + GatewayApiImplementation.SETTING
                + "), has no built-in metrics (" + GatewayApiImplementation.TRAEFIK + " and " + GatewayApiImplementation.ISTIO
                + " have)";
    }

    /**
     * The pods a query measures: the canary (the target, running the release's revision, behind the
     * canary Service) or the side the judge compares it with, running the promoted revision: the
     * baseline ({@code analysis.baseline}, behind the baseline Service) or else the primary (behind
     * the primary Service).
     */
    record Side(String name, String revision, String workload, String workloadService) {

        static Side canary(RolloutNames names, String revision) {
            return new Side("canary", revision, names.target(), names.canaryService());
        }

        static Side primary(RolloutNames names, String promoted) {
            return new Side(MetricComparison.PRIMARY, promoted, names.primary(), names.primaryService());
        }

        static Side baseline(RolloutNames names, String promoted) {
            return new Side(MetricComparison.BASELINE, promoted, names.baseline(), names.baselineService());
        }

        /** The side the judge compares the canary with: the baseline when the Rollout runs one, else the primary. */
        static Side comparison(Rollout rollout, String promoted) {
            RolloutNames names = RolloutNames.of(rollout);
            return RolloutSpec.runsBaseline(rollout.getSpec()) ? baseline(names, promoted) : primary(names, promoted);
        }
    }

    /** When the release began; empty without one (or a time Ramp did not write): count over the window alone. */
    static Optional<Instant> releaseStart(Rollout rollout) {
        return rollout.getStatus() == null ? Optional.empty() : Timestamps.parse(rollout.getStatus().getReleaseStartTime());
    }

    /** Unix seconds to the millisecond, as PromQL's {@code @} modifier takes them. */
    private static String unixSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3).toPlainString();
    }

    private MetricTemplate template(Rollout rollout, MetricCheck check, TemplateLookup templates, String field) throws UnresolvedMetric {
        String namespace = check.getTemplateRef().getNamespace() == null ? rollout.getMetadata().getNamespace()
                : check.getTemplateRef().getNamespace();
        String name = check.getTemplateRef().getName();
        var refused = references.refusal(field,
                rollout.getMetadata().getNamespace(), "MetricTemplate", namespace, name);
        if (refused.isPresent()) {
            throw new UnresolvedMetric(CheckFailure.CROSS_NAMESPACE_REF, refused.get());
        }
        MetricTemplate template = templates.find(namespace, name).orElse(null);
        if (template == null) {
            throw new UnresolvedMetric(CheckFailure.TEMPLATE_NOT_FOUND, "MetricTemplate " + namespace + "/" + name
                    + " not found: create it, or fix " + (field.startsWith("spec.analysis.metrics") ? "the metric's templateRef" : field));
        }
        return template;
    }
}
