package dev.strata.monitoring.monitor;

/**
 * One row of the drift table: a metric of a feature over a slice, with the feature's status
 * and mode in that slice; {@code value} null where the metric is undefined (NaN).
 */
public record DriftRow(String feature, DayRange slice, String metric, Double value, String status, String mode) {}
