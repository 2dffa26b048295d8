package dev.ramp.lab;

import java.util.List;

/**
 * What a release changes in the judge's benchmark ({@link JudgeBenchmark}): the canary's median
 * latency as a factor of the baseline's, and the share of its requests that fail on top of the
 * baseline's. Both sides draw each request's latency from the same lognormal spread around their
 * median, and fail {@value JudgeBenchmark#BASE_ERROR_RATE} of requests at the least; {@code pairs}
 * baselines and canaries of the variant run at once.
 */
record JudgeVariant(String name, String label, double latencyFactor, double addedErrorRate, int pairs) {

    static final List<JudgeVariant> ALL = List.of(
            new JudgeVariant("aa", "A/A: canary identical to baseline", 1, 0, 2),
            new JudgeVariant("latency10", "latency +10%", 1.10, 0, 1),
            new JudgeVariant("latency25", "latency +25%", 1.25, 0, 1),
            new JudgeVariant("latency50", "latency +50%", 1.50, 0, 1),
            new JudgeVariant("errors05", "errors +0.5 points", 1, 0.005, 1),
            new JudgeVariant("errors2", "errors +2 points", 1, 0.02, 1));

    /** Whether a release of this variant is a good one, which nothing should roll back. */
    boolean good() {
        return latencyFactor == 1 && addedErrorRate == 0;
    }

    DemoService.Behaviour baseline(int port) {
        return new DemoService.Behaviour("old", JudgeBenchmark.BASE_ERROR_RATE, JudgeBenchmark.MEDIAN_MS, JudgeBenchmark.SPREAD, port);
    }

    DemoService.Behaviour canary(int port) {
        return new DemoService.Behaviour("new", JudgeBenchmark.BASE_ERROR_RATE + addedErrorRate,
                JudgeBenchmark.MEDIAN_MS * latencyFactor, JudgeBenchmark.SPREAD, port);
    }
}
