package dev.ramp.analysis;

import dev.ramp.api.AnalysisSpec;
import dev.ramp.api.CanaryEvidence;
import dev.ramp.api.JudgeSpec;
import dev.ramp.api.MetricCheck;
import dev.ramp.api.ObjectRef;
import dev.ramp.api.Rollout;
import dev.ramp.api.ThresholdRange;
import dev.ramp.api.Verdict;
import dev.ramp.api.Durations;
import dev.ramp.api.RolloutNames;
import dev.ramp.api.MetricComparison;
import dev.ramp.api.RolloutSpec;
import dev.ramp.kube.References;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Runs a Rollout's metric checks on one revision of its canary: counts the revision's requests in
 * the window (fewer than {@code analysis.minRequests} makes the round Inconclusive), resolves each
 * metric's query (built in on the Rollout's data plane, {@link BuiltinQueries}, or a MetricTemplate's,
 * with {@code {{ revision }}}), asks the provider
 * once (no retries here: the next check is the retry) and compares the value with the threshold
 * range. A {@code compare} metric is instead read as two series of points, the canary's and the
 * baseline's, or without a baseline the primary's (range queries at {@code judge.step}), and the check's compare metrics are scored by
 * the statistical judge ({@link ComparedChecks}). Only a value out of range, or the judge finding
 * the canary worse, fails a check; no data, too few points, a missing template, a rejected query
 * or an unreachable provider leave it Inconclusive, never Passed. Each says why with a {@link CheckFailure}.
 * Queries are resolved and rendered by {@link MetricQueries}. With {@link QueryBatches}, the
 * built-in metrics (their values, and the judge's points of each side) and the minimum sample are
 * read from one query for every canary ({@link BuiltinBatches}); everything else is the check's own query.
 */
public class Analysis {

    /** The name under which the canary's request count appears in status.metrics. */
    public static final String REQUESTS = "canary-requests";

    private final Providers providers;
    private final AnalysisMetrics metrics;
    private final MetricQueries queries;
    private final BuiltinBatches batched;
    private final Clock clock;

    public Analysis(Providers providers, AnalysisMetrics metrics) {
        this(providers, metrics, References.SAME_NAMESPACE);
    }

    public Analysis(Providers providers, AnalysisMetrics metrics, References references) {
        this(providers, metrics, references, GatewayApiImplementation.traefik(), Clock.systemUTC());
    }

    /**
     * {@code gatewayApi} is the implementation whose telemetry the built-in metrics read for
     * GatewayAPI Rollouts; {@code clock} places the windows of counters that carry no revision,
     * so it must be the wall clock Prometheus keeps.
     */
    public Analysis(Providers providers, AnalysisMetrics metrics, References references, GatewayApiImplementation gatewayApi,
            Clock clock) {
        this(providers, metrics, references, gatewayApi, clock, null);
    }

    /** The same, the built-in metrics read from {@code batches} (null: every check asks alone). */
    public Analysis(Providers providers, AnalysisMetrics metrics, References references, GatewayApiImplementation gatewayApi,
            Clock clock, QueryBatches batches) {
        this.providers = providers;
        this.metrics = metrics;
        this.queries = new MetricQueries(providers, references, gatewayApi);
        this.batched = new BuiltinBatches(batches, queries, providers);
        this.clock = clock;
    }

    /**
     * The checks of the canary running {@code revision}; templates are found with {@code templates}.
     * The minimum sample runs with or without metrics: without any, it is the only evidence, and a
     * round with no evidence at all (no metrics, {@code minRequests: 0}) is Inconclusive, never
     * Passed. {@code analysis.skipAnalysis} is for the caller: this always judges.
     */
    public CheckResult run(Rollout rollout, String revision, TemplateLookup templates) {
        List<MetricOutcome> outcomes = new ArrayList<>();
        AnalysisSpec spec = rollout.getSpec().getAnalysis();
        List<MetricCheck> checks = spec == null || spec.getMetrics() == null ? List.of() : spec.getMetrics();
        Duration interval = Durations.parse(AnalysisSpec.effectiveInterval(spec));
        int minRequests = AnalysisSpec.effectiveMinRequests(spec);
        Duration sampleWindow = window(checks, interval);
        Instant now = clock.instant();
        MetricOutcome sample = minRequests > 0 ? sample(rollout, revision, minRequests, sampleWindow, now, templates) : null;
        if (sample != null) {
            outcomes.add(sample);
        } else if (checks.isEmpty()) {
            outcomes.add(MetricOutcome.failed(REQUESTS, null, new ThresholdRange(), CheckFailure.NO_EVIDENCE,
                    "spec.analysis has no metrics and minRequests 0: nothing judges the canary; add a metric, set"
                            + " minRequests above 0, or set skipAnalysis: true to promote without analysis"));
        }
        List<String> warnings = new ArrayList<>();
        List<ComparedChecks.Samples> compared = new ArrayList<>();
        for (MetricCheck check : checks) {
            if (check.getCompare() != null) {
                compared.add(samples(rollout, revision, check, spec, interval, templates, now));
                continue;
            }
            MetricOutcome outcome = check(rollout, revision, check, interval, templates, warnings, now);
            if (outcome.failure() != null && outcome.failure() != CheckFailure.OUT_OF_RANGE) {
                metrics.failed(rollout, check.getName(), outcome.failure());
            }
            boolean sameWindow = sampleWindow.equals(check.getInterval() == null ? interval : Durations.parse(check.getInterval()));
            outcomes.add(sameWindow ? certainBelowSample(outcome, check, sample, minRequests) : outcome);
        }
        if (!compared.isEmpty()) {
            outcomes.addAll(ComparedChecks.judge(compared, spec.getJudge(),
                    RolloutSpec.runsBaseline(rollout.getSpec()) ? MetricComparison.BASELINE : MetricComparison.PRIMARY));
        }
        CheckResult result = new CheckResult(outcomes, warnings);
        return result.verdict() == Verdict.Failed && minRequests > 0 ? result.withEvidence(evidence(rollout, revision, now)) : result;
    }

    /**
     * The built-in success rate below the minimum sample, when its failure is already certain: with
     * {@code e} of the first {@code n} requests failed, the rate over {@code minRequests} requests is
     * at most {@code 100 (minRequests - e) / minRequests} even if every request still to come
     * succeeds; below the metric's minimum, waiting for the rest of the sample cannot change the
     * verdict, so the round fails now. Only where the rate and the sample count the same window,
     * so that its errors are among the sampled requests. Any other outcome is returned as it is.
     */
    private static MetricOutcome certainBelowSample(MetricOutcome outcome, MetricCheck check, MetricOutcome sample, int minRequests) {
        if (sample == null || sample.failure() != CheckFailure.TOO_FEW_REQUESTS || outcome.failure() != CheckFailure.OUT_OF_RANGE
                || check.getTemplateRef() != null || !BuiltinQueries.SUCCESS_RATE.equals(check.getName())
                || sample.status().getValue() == null || outcome.status().getValue() == null
                || check.getThresholdRange().getMin() == null) {
            return outcome;
        }
        double requests = sample.status().getValue();
        double rate = outcome.status().getValue();
        long failed = Math.round(requests * (100 - rate) / 100);
        double best = 100.0 * (minRequests - failed) / minRequests;
        double min = check.getThresholdRange().getMin();
        if (best >= min) {
            return outcome;
        }
        return MetricOutcome.certainlyOutOfRange(check.getName(), rate, check.getThresholdRange(),
                format(rate) + " is below the minimum " + format(min) + ": " + failed + " of the first " + format(requests)
                        + " requests failed, so over " + minRequests + " requests (analysis.minRequests) the rate is at most "
                        + format(best) + " even if every other one succeeds");
    }

    /**
     * The canary revision's request counters now, to tell the next failed check's evidence from
     * this one's; null when the telemetry has no such series or Prometheus cannot say (every
     * failed check then counts, as without this).
     */
    private CanaryEvidence evidence(Rollout rollout, String revision, Instant now) {
        BuiltinQueries builtin = queries.presets(rollout).orElse(null);
        if (builtin == null) {
            return null;
        }
        Map<String, String> variables = MetricQueries.variables(rollout, revision, null, Duration.ZERO, now);
        try {
            OptionalDouble requests = single(providers.defaultProvider(), QueryTemplate.render(builtin.requestsSoFar(), variables));
            if (requests.isEmpty()) {
                return null;
            }
            OptionalDouble errors = single(providers.defaultProvider(), QueryTemplate.render(builtin.errorsSoFar(), variables));
            return new CanaryEvidence(requests.getAsDouble(), errors.orElse(0));
        } catch (MetricQueryException e) {
            return null;
        }
    }

    /** The canary revision's requests in the shortest metric window, against the minimum. */
    private MetricOutcome sample(Rollout rollout, String revision, int minRequests, Duration window, Instant now,
            TemplateLookup templates) {
        ThresholdRange range = new ThresholdRange((double) minRequests, null);
        ObjectRef counter = rollout.getSpec().getAnalysis() == null ? null : rollout.getSpec().getAnalysis().getRequestsTemplateRef();
        if (counter != null) {
            return templateSample(rollout, revision, minRequests, window, now, templates, counter);
        }
        BuiltinQueries builtin = queries.presets(rollout).orElse(null);
        if (builtin == null) {
            return MetricOutcome.failed(REQUESTS, null, range, CheckFailure.INVALID_METRIC, "the minimum sample"
                    + " (analysis.minRequests) counts the canary's requests in the data plane's telemetry, and "
                    + queries.noPresets(rollout) + ": count them with a MetricTemplate (analysis.requestsTemplateRef), or set"
                    + " analysis.minRequests to 0 and judge the canary with MetricTemplates (templateRef) alone");
        }
        String query = QueryTemplate.render(builtin.requests(), MetricQueries.variables(rollout, revision, null, window, now));
        OptionalDouble count;
        try {
            Optional<OptionalDouble> fromBatch = batched.value(rollout, revision, REQUESTS, window, now);
            count = fromBatch.isPresent() ? fromBatch.get() : single(providers.defaultProvider(), query);
        } catch (MetricQueryException e) {
            return MetricOutcome.failed(REQUESTS, null, range, CheckFailure.of(e), e.getMessage());
        }
        double requests = count.orElse(0);
        if (requests < minRequests) {
            return MetricOutcome.failed(REQUESTS, requests, range, CheckFailure.TOO_FEW_REQUESTS,
                    format(requests) + " " + builtin.counted(RolloutNames.of(rollout), revision) + " in the last " + Durations.promRange(window)
                            + ", fewer than analysis.minRequests " + minRequests);
        }
        return MetricOutcome.passed(REQUESTS, requests, range);
    }

    /**
     * The minimum sample counted by the user's MetricTemplate ({@code analysis.requestsTemplateRef})
     * over {@code window}: no series is no request.
     */
    private MetricOutcome templateSample(Rollout rollout, String revision, int minRequests, Duration window, Instant now,
            TemplateLookup templates, ObjectRef counter) {
        ThresholdRange range = new ThresholdRange((double) minRequests, null);
        MetricCheck check = new MetricCheck();
        check.setName(REQUESTS);
        check.setTemplateRef(counter);
        check.setThresholdRange(range);
        MetricQueries.Query query;
        try {
            query = queries.resolve(rollout, revision, check, window, templates, now, "spec.analysis.requestsTemplateRef");
        } catch (MetricQueries.UnresolvedMetric e) {
            return MetricOutcome.failed(REQUESTS, null, range, e.failure(), e.getMessage());
        }
        OptionalDouble count;
        try {
            count = single(query.provider(), query.text());
        } catch (MetricQueryException e) {
            return MetricOutcome.failed(REQUESTS, null, range, CheckFailure.of(e), query.source() + e.getMessage());
        }
        double requests = count.orElse(0);
        if (requests < minRequests) {
            return MetricOutcome.failed(REQUESTS, requests, range, CheckFailure.TOO_FEW_REQUESTS, query.source() + format(requests)
                    + " requests to revision " + revision + " in the last " + Durations.promRange(window)
                    + ", fewer than analysis.minRequests " + minRequests);
        }
        return MetricOutcome.passed(REQUESTS, requests, range);
    }

    /**
     * The shortest metric window: a sample big enough there is big enough in every metric's window.
     * Without metrics, the analysis interval.
     */
    private static Duration window(List<MetricCheck> checks, Duration analysisInterval) {
        Duration shortest = checks.isEmpty() ? analysisInterval : null;
        for (MetricCheck check : checks) {
            Duration window = check.getInterval() == null ? analysisInterval : Durations.parse(check.getInterval());
            shortest = shortest == null || window.compareTo(shortest) < 0 ? window : shortest;
        }
        return shortest;
    }

    /** One metric's check; a template query that does not select the canary's revision adds a warning. */
    private MetricOutcome check(Rollout rollout, String revision, MetricCheck check, Duration analysisInterval,
            TemplateLookup templates, List<String> warnings, Instant now) {
        ThresholdRange range = check.getThresholdRange();
        MetricQueries.Query query;
        try {
            query = queries.resolve(rollout, revision, check, analysisInterval, templates, now,
                    "spec.analysis.metrics[" + check.getName() + "].templateRef");
        } catch (MetricQueries.UnresolvedMetric e) {
            return MetricOutcome.failed(check.getName(), null, range, e.failure(), e.getMessage());
        }
        if (!query.selectsRevision()) {
            warnings.add("metric " + check.getName() + ": " + query.source() + "its query does not use {{ revision }}, so"
                    + " its value may mix the canary's requests with the primary's and pass a bad canary; select the"
                    + " canary's pods by their revision (label ramp.dev/revision, or Istio's destination_canonical_revision)");
        }
        OptionalDouble value;
        Timer.Sample sample = metrics.start();
        try {
            Optional<OptionalDouble> fromBatch = check.getTemplateRef() != null ? Optional.empty()
                    : batched.value(rollout, revision, check.getName(), window(check, analysisInterval), now);
            value = fromBatch.isPresent() ? fromBatch.get() : single(query.provider(), query.text());
        } catch (MetricQueryException e) {
            return MetricOutcome.failed(check.getName(), null, range, CheckFailure.of(e), query.source() + e.getMessage());
        } finally {
            metrics.queried(sample, rollout, check.getName());
        }
        if (value.isEmpty()) {
            return MetricOutcome.failed(check.getName(), null, range, CheckFailure.NO_DATA,
                    "no data: the query returned nothing for " + query.noData());
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

    /**
     * One compare metric's points on each side: the canary's revision, and the promoted revision on
     * the baseline ({@code analysis.baseline}) or else the primary. A range query per side from the window's start (the metric's interval,
     * stretched to {@code minPoints} steps, but not before the release began, so both sides cover
     * the same time) to now, at {@code judge.step}, each point the metric over the step before it, on
     * one grid for every canary ({@link RangeGrid}), so that a built-in metric's points are read from
     * one range query for every canary ({@link BuiltinBatches#points}).
     */
    private ComparedChecks.Samples samples(Rollout rollout, String revision, MetricCheck check, AnalysisSpec spec,
            Duration analysisInterval, TemplateLookup templates, Instant now) {
        JudgeSpec judge = spec.getJudge();
        Duration step = Durations.parse(JudgeSpec.effectiveStep(judge, AnalysisSpec.effectiveInterval(spec)));
        Duration window = check.getInterval() == null ? analysisInterval : Durations.parse(check.getInterval());
        Duration least = step.multipliedBy(JudgeSpec.effectiveMinPoints(judge));
        Instant start = now.minus(window.compareTo(least) < 0 ? least : window);
        Optional<Instant> releaseStart = MetricQueries.releaseStart(rollout);
        Instant released = releaseStart.orElse(start);
        // Filling for one step more than minPoints: the point at the release's start covers the step
        // before it, and a new revision's first scrape comes up to a scrape interval late, so a
        // release exactly minPoints steps old may still show one point short (seen in the lab).
        boolean filling = releaseStart.filter(at -> at.isAfter(now.minus(least.plus(step)))).isPresent();
        start = released.isAfter(start) ? released : start;
        String promoted = rollout.getStatus() == null ? null : rollout.getStatus().getLastPromotedRevision();
        if (promoted == null) {
            return ComparedChecks.Samples.failed(check, CheckFailure.NO_DATA, "no promoted revision to compare the canary with yet");
        }
        RolloutNames names = RolloutNames.of(rollout);
        String field = "spec.analysis.metrics[" + check.getName() + "]";
        MetricQueries.Side side = MetricQueries.Side.comparison(rollout, promoted);
        MetricQueries.Query canary;
        MetricQueries.Query comparison;
        try {
            canary = queries.resolve(rollout, MetricQueries.Side.canary(names, revision), check, step, true, templates, now, field);
            comparison = queries.resolve(rollout, side, check, step, true, templates, now, field);
        } catch (MetricQueries.UnresolvedMetric e) {
            return ComparedChecks.Samples.failed(check, e.failure(), e.getMessage());
        }
        if (canary.text().equals(comparison.text())) {
            return ComparedChecks.Samples.failed(check, CheckFailure.INVALID_METRIC, canary.source() + "its query reads the same"
                    + " for the canary and the " + side.name() + ", so it cannot compare them: select the side with {{ revision }},"
                    + " {{ workload }} or {{ workloadService }} (docs/judge.md)");
        }
        Timer.Sample timer = metrics.start();
        try {
            double[] canaryPoints = points(rollout, MetricQueries.Side.canary(names, revision), check, canary, step, start, now);
            double[] comparisonPoints = points(rollout, side, check, comparison, step, start, now);
            return ComparedChecks.Samples.read(check, canaryPoints, comparisonPoints, filling);
        } catch (MetricQueryException e) {
            metrics.failed(rollout, check.getName(), CheckFailure.of(e));
            return ComparedChecks.Samples.failed(check, CheckFailure.of(e), canary.source() + e.getMessage());
        } finally {
            metrics.queried(timer, rollout, check.getName());
        }
    }

    /**
     * One side's points on the {@link RangeGrid} from {@code start} to {@code now}: a built-in metric's
     * from the batched range query of its metric, step and side, else the side's own range query
     * (none when the grid has no point since {@code start}: a release younger than a step).
     */
    private double[] points(Rollout rollout, MetricQueries.Side side, MetricCheck check, MetricQueries.Query query, Duration step,
            Instant start, Instant now) throws MetricQueryException {
        if (RangeGrid.first(start, now, step).isEmpty()) {
            return new double[0];
        }
        Optional<double[]> fromBatch = check.getTemplateRef() != null ? Optional.empty()
                : batched.points(rollout, side, check.getName(), step, start, now);
        if (fromBatch.isPresent()) {
            return fromBatch.get();
        }
        metrics.sent(AnalysisMetrics.SINGLE);
        return query.provider().queryRange(query.text(), start, now, step);
    }

    /** A check's own query (not batched), counted as such. */
    private OptionalDouble single(MetricsProvider provider, String query) throws MetricQueryException {
        metrics.sent(AnalysisMetrics.SINGLE);
        return provider.query(query);
    }

    private static Duration window(MetricCheck check, Duration analysisInterval) {
        return check.getInterval() == null ? analysisInterval : Durations.parse(check.getInterval());
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf((long) v) : String.format("%.3f", v);
    }
}
