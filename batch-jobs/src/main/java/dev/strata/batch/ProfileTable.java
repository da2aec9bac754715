package dev.strata.batch;

import dev.strata.monitoring.monitor.DayProfile;
import dev.strata.monitoring.monitor.DayRange;
import dev.strata.monitoring.profile.ColumnProfile;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Daily profiles of a monitor's features in {@code <ns>.monitoring_profiles}: one row per
 * (monitor, feature, day), the profile's numbers as columns for SQL and the whole
 * {@link ColumnProfile} as bytes, so that days roll up to weeks or months by merging
 * ({@link #rollUp}) instead of rescanning the snapshot tables.
 *
 * <p>Partitioned by identity(monitor, day): a rerun replaces exactly its days in one Iceberg
 * commit, as {@link MonitorJob} does for its slices.
 */
public final class ProfileTable {
  /** The profile table's name inside the project's namespace. */
  public static final String TABLE = "monitoring_profiles";

  private static final double[] QUANTILES = {0.5, 0.9, 0.99};

  static final StructType SCHEMA = new StructType()
      .add("monitor", DataTypes.StringType, false)
      .add("feature", DataTypes.StringType, false)
      .add("day", DataTypes.DateType, false)
      .add("kind", DataTypes.StringType, false)
      .add("count", DataTypes.LongType, false)
      .add("nulls", DataTypes.LongType, false)
      .add("min", DataTypes.DoubleType, true)
      .add("max", DataTypes.DoubleType, true)
      .add("mean", DataTypes.DoubleType, true)
      .add("stddev", DataTypes.DoubleType, true)
      .add("p50", DataTypes.DoubleType, true)
      .add("p90", DataTypes.DoubleType, true)
      .add("p99", DataTypes.DoubleType, true)
      .add("profile", DataTypes.BinaryType, false)
      .add("computed_at", DataTypes.TimestampType, false);

  private ProfileTable() {}

  /** A feature's stored daily profiles of [from, to] merged into one, and the days that had one. */
  public record Rollup(String feature, LocalDate from, LocalDate to, List<LocalDate> days, ColumnProfile profile) {
    public Rollup {
      days = List.copyOf(days);
    }

    /** Whether every day of [from, to] had a stored profile (a partial week is still a merge of what there is). */
    public boolean complete() {
      // one row per (monitor, feature, day): distinct days, so counting them is enough
      return days.size() == java.time.temporal.ChronoUnit.DAYS.between(from, to) + 1;
    }
  }

  /**
   * Replaces the monitor's profiles of the days in {@code ranges} with {@code profiles}, in one
   * commit; returns the rows written.
   */
  static long write(JobContext ctx, String monitor, List<DayRange> ranges, List<DayProfile> profiles,
      Instant computedAt) {
    String table = ctx.table(TABLE);
    List<Row> rows = new ArrayList<>(profiles.size());
    for (DayProfile p : profiles) {
      rows.add(row(monitor, p, computedAt));
    }
    Dataset<Row> data = ctx.spark().createDataFrame(rows, SCHEMA).coalesce(1);
    Column days = null;
    for (DayRange r : ranges) {
      Column in = functions.col("day").between(functions.lit(r.start()), functions.lit(r.end()));
      days = days == null ? in : days.or(in);
    }
    IcebergWrites.replaceRows(ctx, table, data,
        functions.col("monitor").equalTo(monitor).and(days == null ? functions.lit(false) : days),
        functions.col("monitor"), functions.col("day"));
    return rows.size();
  }

  private static Row row(String monitor, DayProfile d, Instant computedAt) {
    ColumnProfile p = d.profile();
    boolean numeric = p.kind() == ColumnProfile.Kind.NUMERIC;
    Double[] q = new Double[QUANTILES.length];
    for (int i = 0; numeric && i < q.length; i++) {
      q[i] = orNull(p.quantile(QUANTILES[i])); // KLL, inclusive; NaN (null) without values
    }
    return RowFactory.create(monitor, d.feature(), d.day(), p.kind().name().toLowerCase(Locale.ROOT), p.count(),
        p.nulls(), orNull(p.min()), orNull(p.max()), orNull(p.mean()), orNull(p.stddev()), q[0], q[1], q[2],
        p.toBytes(), computedAt);
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** {@link #rollUp(SparkSession, String, String, LocalDate, LocalDate)} on the project's table. */
  public static Map<String, Rollup> rollUp(JobContext ctx, String monitor, LocalDate from, LocalDate to) {
    return rollUp(ctx.spark(), ctx.table(TABLE), monitor, from, to);
  }

  /**
   * Each feature of {@code monitor} with its stored daily profiles of [from, to] merged (e.g.
   * seven days into a week), in one scan of {@code table}; features without a profile in the
   * range are absent.
   */
  public static Map<String, Rollup> rollUp(SparkSession spark, String table, String monitor, LocalDate from, LocalDate to) {
    return merged(spark, table, functions.col("monitor").equalTo(monitor), monitor, from, to);
  }

  /** One feature's stored daily profiles of [from, to] merged; empty when it has none there. */
  public static Optional<Rollup> rollUp(SparkSession spark, String table, String monitor, String feature, LocalDate from,
      LocalDate to) {
    Column mine = functions.col("monitor").equalTo(monitor).and(functions.col("feature").equalTo(feature));
    return Optional.ofNullable(merged(spark, table, mine, monitor, from, to).get(feature));
  }

  private static Map<String, Rollup> merged(SparkSession spark, String table, Column where, String monitor,
      LocalDate from, LocalDate to) {
    if (to.isBefore(from)) {
      throw new JobException("Cannot roll up the profiles of '" + monitor + "': " + to + " is before " + from + ".");
    }
    if (!spark.catalog().tableExists(table)) {
      throw new JobException("Cannot roll up the profiles of '" + monitor + "': table " + table
          + " does not exist (run strata monitor " + monitor + " first).");
    }
    // only the bytes travel: the merge happens here, in day order, so a rollup is reproducible
    List<Row> rows = spark.table(table)
        .where(where.and(functions.col("day").between(functions.lit(from), functions.lit(to))))
        .select("feature", "day", "profile").orderBy("feature", "day").collectAsList();
    Map<String, List<LocalDate>> days = new LinkedHashMap<>();
    Map<String, ColumnProfile> merged = new LinkedHashMap<>();
    for (Row r : rows) {
      String feature = r.getString(0);
      ColumnProfile p = ColumnProfile.fromBytes((byte[]) r.get(2));
      days.computeIfAbsent(feature, f -> new ArrayList<>()).add(MonitorJob.toLocalDate(r.get(1)));
      merged.merge(feature, p, ColumnProfile::merge);
    }
    Map<String, Rollup> out = new LinkedHashMap<>();
    merged.forEach((f, p) -> out.put(f, new Rollup(f, from, to, days.get(f), p)));
    return out;
  }
}
