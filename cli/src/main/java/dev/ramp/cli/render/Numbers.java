package dev.ramp.cli.render;

import dev.ramp.api.MetricComparison;
import dev.ramp.api.MetricStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Metric values and bounds as people write them: 99.8, 500, "min 99", "min 1, max 5". */
public final class Numbers {

    private Numbers() {
    }

    public static String format(Double value) {
        if (value == null) {
            return "-";
        }
        if (value.isNaN() || value.isInfinite()) {
            return value.toString();
        }
        return BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    public static String value(MetricStatus metric) {
        return metric.getValue() == null ? "no data" : format(metric.getValue());
    }

    /** The bound, or for a compare metric what it was compared with: "vs primary 160", the comparison side's median. */
    public static String bound(MetricStatus metric) {
        if (metric.getComparison() != null) {
            var c = metric.getComparison();
            return "vs " + (c.getComparedWith() == null ? MetricComparison.PRIMARY : c.getComparedWith()) + " " + format(c.getComparisonMedian());
        }
        if (metric.getMin() != null && metric.getMax() != null) {
            return "min " + format(metric.getMin()) + ", max " + format(metric.getMax());
        }
        if (metric.getMin() != null) {
            return "min " + format(metric.getMin());
        }
        return metric.getMax() != null ? "max " + format(metric.getMax()) : "";
    }
}
