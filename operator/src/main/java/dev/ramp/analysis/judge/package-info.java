/**
 * The statistical judge (issue 22): a canary's metric compared with its baseline's by a
 * Mann-Whitney U test with a Hodges-Lehmann shift and its confidence interval ({@link
 * dev.ramp.analysis.judge.MannWhitneyJudge}), and a check's metrics combined into one
 * Kayenta-style score and verdict ({@link dev.ramp.analysis.judge.Scorecard}). Pure functions of
 * the points they are given: no I/O, no clock, no state; fetching the points is the analysis
 * package's. The statistics are Apache Commons Statistics'.
 */
package dev.ramp.analysis.judge;
