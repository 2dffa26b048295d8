package dev.ramp.cli.render;

import dev.ramp.api.MetricStatus;
import dev.ramp.api.Verdict;
import dev.ramp.cli.ReleaseView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of {@code ramp watch}: the canary's weight as a bar, the phase, the step and each
 * metric against its bound, e.g.
 * {@code [##########----------]  50%  Progressing  step 2/3  request-success-rate 99.8 (min 99)}.
 */
public final class ProgressLine {

    static final int WIDTH = 20;

    private ProgressLine() {
    }

    public static String of(ReleaseView view) {
        int weight = Math.max(0, Math.min(100, view.weight()));
        int filled = Math.round(weight * WIDTH / 100f);
        List<String> parts = new ArrayList<>();
        parts.add("[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + String.format(Locale.ROOT, "%3d%%", weight));
        parts.add(view.paused() ? view.phaseName() + " (paused)" : view.phaseName());
        if (!view.progress().isEmpty()) {
            parts.add(view.progress());
        }
        if (view.failedChecks() > 0) {
            parts.add("failed checks " + view.failedChecks() + "/" + view.threshold());
        }
        for (MetricStatus metric : view.metrics()) {
            String bound = Numbers.bound(metric);
            String verdict = metric.getVerdict() == null || metric.getVerdict() == Verdict.Passed ? ""
                    : metric.getVerdict().name().toLowerCase(Locale.ROOT);
            String detail = String.join(", ", List.of(bound, verdict).stream().filter(s -> !s.isEmpty()).toList());
            parts.add(metric.getName() + " " + Numbers.value(metric) + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
        return String.join("  ", parts);
    }
}
