/**
 * A monitor's run, engine-free: the days it compares ({@link dev.strata.monitoring.monitor.DayRange}),
 * the values of those days held by column ({@link dev.strata.monitoring.monitor.DayColumns}, exact
 * mode) or as daily profiles ({@link dev.strata.monitoring.monitor.DailyProfiler},
 * {@link dev.strata.monitoring.monitor.DayProfiles}, sketch mode), the drift of every slice and
 * segment and the report ({@link dev.strata.monitoring.monitor.MonitorDrift}), the rows a
 * monitor's {@code metrics:} keeps ({@link dev.strata.monitoring.monitor.MetricSelection}) and the
 * model's labelled predictions ({@link dev.strata.monitoring.monitor.LabelledPairs}).
 *
 * <p>An engine (the Spark monitor job) scans the snapshot tables and hands rows over, one
 * {@code (epoch day, values…)} at a time; everything after the scan happens here.
 */
package dev.strata.monitoring.monitor;
