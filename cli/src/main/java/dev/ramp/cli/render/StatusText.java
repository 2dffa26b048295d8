package dev.ramp.cli.render;

import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricStatus;
import dev.ramp.api.RoutingCondition;
import dev.ramp.cli.status.StatusReport;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

/** {@code ramp status} for people: the report as labelled lines and tables, like kubectl describe. */
public final class StatusText {

    private static final String NONE = "<none>";

    private final PrintWriter out;
    private final Clock clock;

    public StatusText(PrintWriter out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    public void print(StatusReport report) {
        field("Name", report.name());
        field("Namespace", report.namespace());
        field("Strategy", report.strategy());
        field("Phase", (report.phase() == null ? NONE : report.phase()) + (report.paused() ? " (paused)" : "")
                + forAge(report.phaseSince()));
        if (report.step() != null) {
            List<Integer> steps = report.stepReplicas() != null ? report.stepReplicas() : report.stepWeights();
            field("Step", report.step() + "/" + steps.size() + (report.stepReplicas() != null ? " (pods " : " (weights ")
                    + steps.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")" + forAge(report.stepSince()));
        }
        if (report.requiredIterations() != null) {
            field("Checks passed", report.iterations() + "/" + report.requiredIterations());
        }
        // A baseline takes the canary's weight again (analysis.baseline): the primary has the rest.
        boolean baseline = report.routing() != null && report.routing().baseline() != null && report.routing().baseline() > 0;
        field("Weight", "canary " + report.canaryWeight() + "%, " + (baseline ? "baseline " + report.canaryWeight() + "%, " : "")
                + "primary " + (100 - (baseline ? 2 : 1) * report.canaryWeight()) + "%");
        if (report.routing() != null) {
            StatusReport.Routing routing = report.routing();
            field("Routing", routing.kind() + " " + routing.name() + ": primary " + routing.primary()
                    + ", canary " + routing.canary() + (routing.baseline() == null ? "" : ", baseline " + routing.baseline())
                    + (routing.accepted() == null ? ""
                            : " (" + RoutingCondition.ACCEPTED_TYPE + " " + routing.accepted() + ": " + routing.acceptedReason() + ")"));
            parents(routing);
        }
        field("Failed checks", report.failedChecks() + "/" + report.threshold());
        field("Inconclusive", report.inconclusiveChecks() + "/" + report.inconclusiveLimit() + " in a row");
        field("Last action", (report.lastAction() == null ? NONE : report.lastAction())
                + (report.pendingAction() == null ? "" : " (requested, not yet done: " + report.pendingAction() + ")"));
        metrics(report);
        out.println("Git commits:");
        field("  Promoted", orNone(report.commits().promoted()));
        field("  Release", orNone(report.commits().release()));
        field("  Revert", orNone(report.commits().revert()) + (report.commits().revertState() == null
                || report.commits().revert() != null ? "" : " (" + report.commits().revertState() + ": " + report.commits().revertReason() + ")"));
        out.println("Revisions:");
        field("  Canary", orNone(report.revisions().applied()));
        field("  Primary", orNone(report.revisions().promoted()));
        field("  Target", orNone(report.revisions().target()));
        conditions(report);
        events(report);
        out.flush();
    }

    /** " for 96s" since an RFC 3339 time, or nothing when there is none. */
    private String forAge(String since) {
        return since == null ? "" : " for " + Ages.since(since, clock);
    }

    private void metrics(StatusReport report) {
        if (report.metrics().isEmpty()) {
            field("Metrics", NONE);
            return;
        }
        out.println("Metrics:");
        Table table = new Table("NAME", "VALUE", "BOUND", "VERDICT", "MESSAGE");
        for (MetricStatus m : report.metrics()) {
            table.row(m.getName(), Numbers.value(m), Numbers.bound(m),
                    m.getVerdict() == null ? "-" : m.getVerdict().name(), m.getMessage());
        }
        table.print(out, "  ");
        comparisons(report);
    }

    /**
     * Each compare metric's comparison in full, as the judge saw it at the last check: both sides'
     * points and medians, the effect with its interval, the p-value and the classification.
     */
    private void comparisons(StatusReport report) {
        List<MetricStatus> compared = report.metrics().stream().filter(m -> m.getComparison() != null).toList();
        if (compared.isEmpty()) {
            return;
        }
        out.println("Comparisons:");
        Table table = new Table("METRIC", "CANARY", "VS", "POINTS", "SHIFT", "CI", "P", "CLASS");
        for (MetricStatus m : compared) {
            MetricComparison c = m.getComparison();
            String unit = c.getUnit() == null ? "" : "%".equals(c.getUnit()) ? "%" : " " + c.getUnit();
            table.row(m.getName() + (Boolean.TRUE.equals(c.getCritical()) ? " (critical)" : ""),
                    Numbers.format(c.getCanaryMedian()) + unit,
                    (c.getComparedWith() == null ? MetricComparison.PRIMARY : c.getComparedWith()) + " " + Numbers.format(c.getComparisonMedian()) + unit,
                    orZero(c.getCanaryPoints()) + "/" + orZero(c.getComparisonPoints()),
                    c.getShift() == null ? "-" : signed(c.getShift()) + unit + (c.getRelativeShift() == null ? ""
                            : " (" + signed(100 * c.getRelativeShift()) + "%)"),
                    c.getLower() == null ? "-" : Numbers.format(100 * (c.getConfidence() == null ? 0 : c.getConfidence())) + "% "
                            + signed(c.getLower()) + ".." + signed(c.getUpper()),
                    c.getPValue() == null ? "-" : String.format(java.util.Locale.ROOT, "%.2g", c.getPValue()),
                    c.getClassification() == null ? "-" : c.getClassification().name());
        }
        table.print(out, "  ");
    }

    private static String signed(double v) {
        return (v > 0 ? "+" : "") + Numbers.format(v);
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private void parents(StatusReport.Routing routing) {
        if (routing.parents() == null) {
            return;
        }
        if (routing.parents().isEmpty()) {
            field("  Parents", "<none reported>");
            return;
        }
        out.println("  Parents:");
        Table table = new Table("GATEWAY", "CONTROLLER", "CONDITION", "STATUS", "REASON", "MESSAGE");
        for (StatusReport.Parent p : routing.parents()) {
            table.row(p.gateway(), orNone(p.controller()), p.condition() == null ? "-" : p.condition(), p.status(),
                    p.reason() == null ? "" : p.reason(), p.message() == null ? "" : p.message());
        }
        table.print(out, "    ");
    }

    private void conditions(StatusReport report) {
        if (report.conditions() == null || report.conditions().isEmpty()) {
            field("Conditions", NONE);
            return;
        }
        out.println("Conditions:");
        Table table = new Table("TYPE", "STATUS", "REASON", "AGE", "MESSAGE");
        for (Condition c : report.conditions()) {
            table.row(c.getType(), c.getStatus(), c.getReason(), Ages.since(c.getLastTransitionTime(), clock), c.getMessage());
        }
        table.print(out, "  ");
    }

    private void events(StatusReport report) {
        if (report.events().isEmpty()) {
            field("Events", NONE);
            return;
        }
        out.println("Events:");
        Table table = new Table("TYPE", "REASON", "AGE", "MESSAGE");
        for (StatusReport.EventLine e : report.events()) {
            table.row(e.type(), e.reason(), Ages.since(e.time(), clock), e.message());
        }
        table.print(out, "  ");
    }

    private void field(String label, String value) {
        String key = label + ":";
        out.println(key + " ".repeat(Math.max(1, 16 - key.length())) + value);
    }

    private static String orNone(String value) {
        return value == null || value.isBlank() ? NONE : value;
    }
}
