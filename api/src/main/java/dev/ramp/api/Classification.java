package dev.ramp.api;

/**
 * How the judge classes one metric of the canary against its baseline (Kayenta's terms). Only
 * {@link #High} and {@link #Low} count against the canary, and only in the metric's bad
 * {@link Direction}; {@link #NoData} is no evidence either way, never a pass.
 */
public enum Classification {
    /** No significant difference beyond the allowed effect, or one in the harmless direction. */
    Pass,
    /** The canary is significantly higher than the baseline, by more than the allowed effect, and higher is bad. */
    High,
    /** The canary is significantly lower than the baseline, by more than the allowed effect, and lower is bad. */
    Low,
    /** Too few points on one side (or none) to compare. */
    NoData
}
