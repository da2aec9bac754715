package dev.strata.batch;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledMonitor;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.types.DataType;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.monitor.DailyProfiler;
import dev.strata.monitoring.monitor.DayColumns;
import dev.strata.monitoring.monitor.DayProfile;
import dev.strata.monitoring.monitor.DayProfiles;
import dev.strata.monitoring.monitor.DayRange;
import dev.strata.monitoring.monitor.DriftRow;
import dev.strata.monitoring.monitor.FeatureColumn;
import dev.strata.monitoring.monitor.LabelledPairs;
import dev.strata.monitoring.monitor.MetricSelection;
import dev.strata.monitoring.monitor.MonitorDrift;
import dev.strata.monitoring.performance.ModelPerformance;
import dev.strata.monitoring.profile.ColumnProfile;
import dev.strata.monitoring.report.DriftReport;
import dev.strata.monitoring.skew.SkewComparison;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Drift of a monitor's service features: the daily snapshot tables ({@code <ns>.<group>},
 * written by backfill) of the reference range against the current range and against each
 * {@code every} period of the current range (drift over time).
 *
 * <p>Exact mode where the data fits: the feature columns of the days needed are streamed to the
 * driver into primitive arrays (no Row is kept), up to {@code maxExactValues} values (rows ×
 * features, all groups; 8 bytes each for numbers). A group whose days hold more (or every group,
 * with {@code sketch} set) is profiled in Spark instead: each partition builds one
 * DataSketches profile per slice and feature, the driver merges them and {@link SketchDrift}
 * compares them, with the error bound in the result's {@code mode} and {@code error_bound}.
 *
 * <p>This job only scans: it reads the rows of the days needed and hands them, one
 * {@code (day, values…)} at a time, to the monitoring core ({@code dev.strata.monitoring.monitor}),
 * which slices them by day range and segment, computes the drift, the daily profiles, the table's
 * rows and the report.
 *
 * <p>A monitor with {@code predictions} adds the model's scores (and labels, once some arrived)
 * as features {@code <model>.prediction} and {@code <model>.label}, from the prediction log
 * ({@link LogIngestJob}) or a table of one's own. Where the service's served log has rows in
 * the current days, the run also computes online/offline skew ({@link SkewJob}) into the report.
 *
 * <p>Results go to {@code <ns>.monitoring_drift}, one row per feature × slice × metric,
 * partitioned by identity(monitor, slice_start, slice_end) so that a rerun replaces, in one
 * Iceberg commit, every slice of the monitor that lies inside its current range. Beside them,
 * {@link ProfileTable} ({@code <ns>.monitoring_profiles}) gets one profile per feature and day of
 * the reference and current days, built from the values this job reads anyway (the driver's
 * arrays in exact mode, the partitions' sketches in sketch mode), so it costs no extra scan.
 */
public final class MonitorJob {
  /** The drift table's name inside the project's namespace. */
  public static final String TABLE = "monitoring_drift";
  /** Exact mode's default limit: 20M values, about 160 MB of doubles on the driver. */
  public static final long DEFAULT_MAX_EXACT_VALUES = 20_000_000L;

  /** The model-performance table's name inside the project's namespace. */
  public static final String PERFORMANCE_TABLE = "monitoring_performance";

  static final StructType PERFORMANCE_SCHEMA = new StructType()
      .add("monitor", DataTypes.StringType, false)
      .add("model", DataTypes.StringType, false)
      .add("slice_start", DataTypes.DateType, false)
      .add("slice_end", DataTypes.DateType, false)
      .add("metric", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, true)
      .add("labelled_pairs", DataTypes.LongType, false)
      .add("computed_at", DataTypes.TimestampType, false);

  static final StructType SCHEMA = new StructType()
      .add("monitor", DataTypes.StringType, false)
      .add("feature", DataTypes.StringType, false)
      .add("slice_start", DataTypes.DateType, false)
      .add("slice_end", DataTypes.DateType, false)
      .add("metric", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, true)
      .add("status", DataTypes.StringType, false)
      .add("mode", DataTypes.StringType, false)
      .add("computed_at", DataTypes.TimestampType, false);

  private final JobContext ctx;
  private final long maxExactValues;
  private final SkewComparison skew;
  private boolean sketch;
  private int segmentsTop = DEFAULT_SEGMENTS_TOP;

  /** Segments drifted per segment column by default: the most frequent in the reference. */
  public static final int DEFAULT_SEGMENTS_TOP = 10;

  public MonitorJob(JobContext ctx) {
    this(ctx, DEFAULT_MAX_EXACT_VALUES);
  }

  public MonitorJob(JobContext ctx, long maxExactValues) {
    this(ctx, maxExactValues, SkewComparison.withDefaults());
  }

  /** Drift per segment for the {@code n} most frequent values of each segment column in the reference. */
  public MonitorJob segmentsTop(int n) {
    if (n < 1) {
      throw new JobException("Cannot drift the top " + n + " segments: give at least 1.");
    }
    this.segmentsTop = n;
    return this;
  }

  /** Drift from sketches for every group, whatever its size. */
  public MonitorJob sketchAlways() {
    this.sketch = true;
    return this;
  }

  /** {@code skew} null leaves online/offline skew out even where the service's served log has rows. */
  public MonitorJob(JobContext ctx, long maxExactValues, SkewComparison skew) {
    this.ctx = ctx;
    this.maxExactValues = maxExactValues;
    this.skew = skew;
  }

  /** What a run computed and wrote. */
  public record Result(DriftReport report, DayRange reference, DayRange current, List<DayRange> timeline, long rows) {}

  /** The monitor's definition, or one sentence naming the known monitors. */
  static CompiledMonitor monitor(CompiledPlan plan, String name) {
    return plan.monitor(name).orElseThrow(() -> new JobException("Cannot monitor '" + name
        + "': no such monitor (known: " + (plan.monitors().isEmpty() ? "none"
            : String.join(", ", plan.monitors().stream().map(CompiledMonitor::name).toList())) + ")."));
  }

  /**
   * Computes and writes the drift of monitor {@code name}; {@code from} and {@code to} null take
   * the last {@code every} period (default one day) ending on the latest snapshot day.
   */
  public Result run(String name, LocalDate from, LocalDate to) {
    CompiledPlan plan = ctx.plan();
    CompiledMonitor m = monitor(plan, name);
    CompiledService service = plan.service(m.service()).orElseThrow(() -> new JobException(
        "Cannot monitor '" + name + "': its service '" + m.service() + "' does not exist."));
    if ((from == null) != (to == null)) {
      throw new JobException("Cannot monitor '" + name + "': give both --from and --to, or neither.");
    }
    if (from != null && to.isBefore(from)) {
      throw new JobException("Cannot monitor '" + name + "': --to " + to + " is before --from " + from + ".");
    }
    DayRange reference = referenceDays(m);
    int periodDays = DayRange.periodDays(m.everyMicros());
    Map<String, List<ServiceFeature>> byGroup = new LinkedHashMap<>();
    for (ServiceFeature f : service.features()) {
      if (monitored(f.type())) {
        byGroup.computeIfAbsent(f.group(), g -> new ArrayList<>()).add(f);
      }
    }
    if (byGroup.isEmpty()) {
      throw new JobException("Cannot monitor '" + name + "': service '" + service.name() + "' has no numeric, text or boolean feature.");
    }
    for (String g : byGroup.keySet()) {
      if (!ctx.spark().catalog().tableExists(ctx.table(g))) {
        throw new JobException("Cannot monitor '" + name + "': table " + ctx.table(g) + " does not exist (run backfill " + g + " first).");
      }
    }
    DayRange current = from != null ? DayRange.of(from, to) : latestPeriod(name, byGroup.keySet(), periodDays);
    List<DayRange> timeline = current.periods(periodDays);

    Thresholds thresholds;
    try {
      thresholds = Thresholds.forMonitor(m);
    } catch (IllegalArgumentException e) {
      throw new JobException("Cannot monitor '" + name + "': " + e.getMessage() + ".");
    }
    MonitorDrift drift = new MonitorDrift(reference, current, timeline, thresholds);
    List<DayProfile> dayProfiles = new ArrayList<>();
    long budget = maxExactValues;
    Map<String, List<String>> segmentColumns = segmentColumns(m, byGroup.keySet());
    for (Map.Entry<String, List<ServiceFeature>> e : byGroup.entrySet()) {
      String group = e.getKey();
      List<String> segments = segmentColumns.get(group);
      DayColumns cols = sketch ? null : collect(e.getValue(), segments, snapshotRows(group, e.getValue(), segments, reference, current), budget);
      if (cols == null) {
        if (!sketch) {
          ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %s holds more than the %,d values left for exact"
              + " drift (--max-exact-values); drift of its features from sketches", name, ctx.table(group), budget));
        }
        DayProfiles profiles = profile(e.getValue(), snapshotRows(group, e.getValue(), List.of(), reference, current));
        requireRows(name, group, reference, profiles.count(reference), true);
        requireRows(name, group, current, profiles.count(current), false);
        drift.addSketched(profiles);
        dayProfiles.addAll(profiles.dayProfiles());
        if (!segments.isEmpty()) {
          ctx.progress().say("monitor " + name + ": segments of " + ctx.table(group) + " left out (sketch mode)");
        }
        continue;
      }
      budget -= cols.values();
      requireRows(name, group, reference, cols.count(reference), true);
      requireRows(name, group, current, cols.count(current), false);
      drift.addExact(cols);
      drift.addSegments(cols, segmentsTop);
      dayProfiles.addAll(cols.dayProfiles());
    }
    Predictions predictions = predictions(m, reference, current);
    if (predictions != null) {
      DayColumns cols = collect(predictions.columns(), List.of(), predictions.rows(), budget);
      if (cols == null) {
        throw new JobException(String.format(Locale.ROOT, "Cannot monitor '%s' exactly: the predictions of the reference and"
            + " current days hold more than %,d values (--max-exact-values); narrow --from/--to or raise the limit.",
            name, maxExactValues));
      }
      if (cols.count(reference) == 0 || cols.count(current) == 0) {
        ctx.progress().say("monitor " + name + ": predictions of " + predictions.source() + " have no rows in the "
            + (cols.count(reference) == 0 ? "reference " + reference.label() : "current slice " + current.label())
            + "; left out");
      } else {
        drift.addExact(cols);
        dayProfiles.addAll(cols.dayProfiles());
      }
    }

    Instant computedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<Row> rows = new ArrayList<>();
    for (DriftRow r : drift.rows(MetricSelection.of(m.metrics()))) {
      rows.add(RowFactory.create(m.name(), r.feature(), r.slice().start(), r.slice().end(), r.metric(), r.value(),
          r.status(), r.mode(), computedAt));
    }
    write(m.name(), current, rows);
    long profiles = ProfileTable.write(ctx, m.name(), List.of(reference, current), dayProfiles, computedAt);
    ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %,d daily profiles of %s and %s -> %s",
        m.name(), profiles, reference.label(), current.label(), ctx.table(ProfileTable.TABLE)));
    DriftReport report = drift.report("Monitor " + m.name() + " (service " + service.name() + ")", computedAt);
    LabelledPairs labelled = predictions == null ? null : labelledPairs(name, predictions);
    if (labelled != null) {
      ModelPerformance performance = labelled.compare(reference, current);
      writePerformance(m.name(), labelled, current, timeline, computedAt);
      report = report.withPerformance(performance);
      ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %s against its labels: %s", name, performance.model(),
          String.join(", ", performance.metrics().stream().map(x -> x.name() + " " + value(x.reference()) + " -> "
              + value(x.current())).toList())));
    }
    if (skew != null) {
      SkewJob skewJob = new SkewJob(ctx, skew);
      if (skewJob.hasLog(service.name(), current)) {
        report = report.withSkew(skewJob.run(service.name(), current));
      }
    }
    ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %s vs reference %s, %d features, %,d rows -> %s: %s",
        m.name(), current.label(), reference.label(), drift.currentDrift().size(), rows.size(), ctx.table(TABLE),
        report.overall().label()));
    return new Result(report, reference, current, timeline, rows.size());
  }

  /** One sentence naming the backfill to run when a group's snapshot table has no rows for {@code range}. */
  private void requireRows(String monitor, String group, DayRange range, long rows, boolean isReference) {
    if (rows == 0) {
      throw new JobException("Cannot monitor '" + monitor + "': " + ctx.table(group) + " has no rows for "
          + (isReference ? "the reference " : "") + range.label() + " (run backfill " + group + " --from " + range.start()
          + " --to " + range.end() + ").");
    }
  }

  /**
   * The monitor's {@code segments} that are columns of each group's snapshot table (entity key
   * columns such as {@code airport}, {@code origin}); one that is a column of none is a mistake.
   */
  private Map<String, List<String>> segmentColumns(CompiledMonitor m, Iterable<String> groups) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    java.util.Set<String> used = new java.util.HashSet<>();
    List<String> known = new ArrayList<>();
    for (String g : groups) {
      List<String> columns = Arrays.asList(ctx.spark().table(ctx.table(g)).columns());
      known.addAll(columns.stream().filter(c -> !known.contains(c)).toList());
      List<String> mine = m.segments().stream().filter(columns::contains).toList();
      used.addAll(mine);
      out.put(g, mine);
    }
    for (String s : m.segments()) {
      if (!used.contains(s)) {
        throw new JobException("Cannot monitor '" + m.name() + "': segment '" + s + "' is not a column of the service's"
            + " snapshot tables (columns: " + String.join(", ", known) + ").");
      }
    }
    return out;
  }

  /** A monitor's prediction (and label) columns: rows of (day, prediction[, label]) of reference and current. */
  private record Predictions(String source, Dataset<Row> rows, List<ServiceFeature> columns) {}

  /**
   * The rows of the monitor's predictions on the reference and current days, or null when it
   * has none configured or its table does not exist yet (a monitor may be defined before its
   * model logs anything). From the prediction log, the model's rows, drifting as
   * {@code <model>.prediction} and {@code <model>.label}; a text prediction or label (a class)
   * drifts as a categorical. Labels only when some have arrived.
   */
  private Predictions predictions(CompiledMonitor m, DayRange reference, DayRange current) {
    if (m.predictionsModel() == null && m.predictionsTable() == null) {
      return null;
    }
    String table;
    String time;
    Column where;
    String prefix;
    List<String[]> wanted = new ArrayList<>(); // {column alias, numeric column, text column or null}
    if (m.predictionsModel() != null) {
      table = ctx.table(LogIngestJob.PREDICTION_TABLE);
      time = "time";
      where = functions.col("model").equalTo(m.predictionsModel());
      prefix = m.predictionsModel();
      wanted.add(new String[] {"prediction", "prediction", "prediction_text"});
      wanted.add(new String[] {"label", "label", "label_text"});
    } else {
      String[] parts = m.predictionsTable().split("\\.");
      table = ctx.catalog() + "." + String.join(".", java.util.Arrays.stream(parts).map(StrataSpark::quote).toList());
      time = "time";
      where = functions.lit(true);
      prefix = parts[parts.length - 1];
      wanted.add(new String[] {m.predictionsColumn(), m.predictionsColumn(), null});
      if (m.labelColumn() != null) {
        wanted.add(new String[] {m.labelColumn(), m.labelColumn(), null});
      }
    }
    if (!ctx.spark().catalog().tableExists(table)) {
      ctx.progress().say("monitor " + m.name() + ": no prediction table " + table + " yet; predictions left out");
      return null;
    }
    Column day = functions.to_date(functions.col(time));
    Dataset<Row> rows = ctx.spark().table(table).where(where.and(day.between(reference.start(), reference.end())
        .or(day.between(current.start(), current.end()))));
    StructType schema = rows.schema();
    List<Column> select = new ArrayList<>(List.of(day.as("day")));
    List<ServiceFeature> columns = new ArrayList<>();
    for (String[] w : wanted) {
      boolean numericColumn = schema.apply(w[1]).dataType() instanceof org.apache.spark.sql.types.NumericType;
      Column text = w[2] == null ? (numericColumn ? null : functions.col(w[1]).cast("string"))
          : functions.coalesce(functions.col(w[2]), functions.col(w[1]).cast("string"));
      boolean categorical = text != null && (w[2] == null || !rows.where(functions.col(w[2]).isNotNull()).isEmpty());
      if (w[0].equals("label") && w[2] != null
          && rows.where(functions.col("label").isNotNull().or(functions.col("label_text").isNotNull())).isEmpty()) {
        continue; // no label has arrived yet
      }
      select.add(categorical ? text.as(w[0]) : functions.col(w[1]).cast("double").as(w[0]));
      columns.add(new ServiceFeature(prefix + "." + w[0], prefix, w[0], categorical ? DataType.STRING : DataType.DOUBLE));
    }
    return new Predictions(table, rows.select(select.toArray(Column[]::new)), columns);
  }

  /**
   * The predictions of the reference and current days that have a label, or null when there are
   * no labels, or prediction and label differ in kind (a score against a class).
   */
  private LabelledPairs labelledPairs(String name, Predictions predictions) {
    if (predictions.columns().size() < 2) {
      return null; // no label column, or no label has arrived
    }
    ServiceFeature prediction = predictions.columns().get(0);
    ServiceFeature label = predictions.columns().get(1);
    if (prediction.type() != label.type()) {
      ctx.progress().say("monitor " + name + ": " + prediction.qualifiedName() + " and " + label.qualifiedName()
          + " differ in kind (a score and a class); performance left out");
      return null;
    }
    Dataset<Row> pairs = predictions.rows().where(functions.col(prediction.feature()).isNotNull()
        .and(functions.col(label.feature()).isNotNull())).select("day", prediction.feature(), label.feature());
    long count = pairs.count();
    if (count > maxExactValues / 2) {
      ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %,d labelled predictions exceed --max-exact-values;"
          + " performance left out", name, count));
      return null;
    }
    List<Row> rows = pairs.collectAsList();
    List<LocalDate> days = rows.stream().map(r -> toLocalDate(r.get(0))).toList();
    if (prediction.type() == DataType.DOUBLE) {
      return LabelledPairs.numeric(prediction.group(), days, rows.stream().mapToDouble(r -> r.getDouble(1)).toArray(),
          rows.stream().mapToDouble(r -> r.getDouble(2)).toArray());
    }
    return LabelledPairs.categorical(prediction.group(), days, rows.stream().map(r -> r.getString(1)).toArray(String[]::new),
        rows.stream().map(r -> r.getString(2)).toArray(String[]::new));
  }

  /**
   * Replaces the monitor's rows of {@code <ns>.monitoring_performance} for the current slice
   * and, with {@code every}, for each period: the model's metrics over that slice's labelled
   * pairs (performance over time).
   */
  private void writePerformance(String monitor, LabelledPairs labelled, DayRange current, List<DayRange> timeline,
      Instant computedAt) {
    List<Row> rows = new ArrayList<>();
    List<DayRange> slices = new ArrayList<>(List.of(current));
    if (timeline.size() > 1) {
      slices.addAll(timeline);
    }
    for (DayRange slice : slices) {
      long n = labelled.count(slice);
      labelled.metrics(slice).forEach((metric, value) -> rows.add(RowFactory.create(monitor, labelled.model(),
          slice.start(), slice.end(), metric, Double.isNaN(value) ? null : value, n, computedAt)));
    }
    String table = ctx.table(PERFORMANCE_TABLE);
    Dataset<Row> data = ctx.spark().createDataFrame(rows, PERFORMANCE_SCHEMA).coalesce(1);
    LocalDate first = slices.stream().map(DayRange::start).min(LocalDate::compareTo).orElseThrow();
    IcebergWrites.replaceRows(ctx, table, data, functions.col("monitor").equalTo(monitor)
            .and(functions.col("slice_start").geq(functions.lit(first)))
            .and(functions.col("slice_end").leq(functions.lit(current.end()))),
        functions.col("monitor"), functions.col("slice_start"), functions.col("slice_end"));
  }

  private static String value(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4g", v);
  }

  /** The days whose start lies in the monitor's reference [from, to). */
  static DayRange referenceDays(CompiledMonitor m) {
    return DayRange.wholeDays(m.referenceFromMicros(), m.referenceToMicros()).orElseThrow(() -> new JobException(
        "Cannot monitor '" + m.name() + "': its reference holds no whole day."));
  }

  private DayRange latestPeriod(String name, Iterable<String> groups, int days) {
    LocalDate latest = null;
    for (String g : groups) {
      Row r = ctx.spark().table(ctx.table(g)).agg(functions.max("day")).first();
      LocalDate d = r.isNullAt(0) ? null : toLocalDate(r.get(0));
      latest = d == null ? latest : latest == null || d.isAfter(latest) ? d : latest;
    }
    if (latest == null) {
      throw new JobException("Cannot monitor '" + name + "': the snapshot tables are empty (run backfill first).");
    }
    return DayRange.of(latest.minusDays(days - 1L), latest);
  }

  private static boolean monitored(DataType t) {
    // lists and maps have no one-dimensional distribution to compare
    return t instanceof DataType.Primitive;
  }

  private static boolean numeric(DataType t) {
    return t.isNumeric() || t == DataType.TIMESTAMP;
  }

  private static List<FeatureColumn> columns(List<ServiceFeature> features) {
    return features.stream().map(f -> new FeatureColumn(f.qualifiedName(), numeric(f.type()))).toList();
  }

  /**
   * Rows of (day, features…, segment columns as text…) of one group's snapshot table on the
   * days of reference and current.
   */
  private Dataset<Row> snapshotRows(String group, List<ServiceFeature> features, List<String> segments,
      DayRange reference, DayRange current) {
    Column days = functions.col("day").between(reference.start(), reference.end())
        .or(functions.col("day").between(current.start(), current.end()));
    List<Column> select = new ArrayList<>();
    select.add(functions.col("day"));
    features.forEach(f -> select.add(functions.col(StrataSpark.quote(f.feature()))));
    segments.forEach(s -> select.add(functions.col(StrataSpark.quote(s)).cast("string")));
    return ctx.spark().table(ctx.table(group)).where(days).select(select.toArray(Column[]::new));
  }

  /**
   * Rows of (day, one column per feature, segment columns…) to the driver, into the core's
   * columns; null when they hold more than {@code budget} values (the caller falls back to
   * sketches).
   */
  private static DayColumns collect(List<ServiceFeature> features, List<String> segments, Dataset<Row> rows, long budget) {
    DayColumns cols = new DayColumns(columns(features), segments);
    Object[] values = new Object[cols.width()];
    // toLocalIterator holds one partition at a time, so the driver keeps only the core's arrays
    Iterator<Row> it = rows.toLocalIterator();
    while (it.hasNext()) {
      if (cols.values() + cols.width() > budget) {
        return null;
      }
      Row r = it.next();
      cols.add(toLocalDate(r.get(0)).toEpochDay(), values(r, values));
    }
    return cols;
  }

  /** The values of a row of (day, values…), timestamps as microseconds (the core's numbers). */
  private static Object[] values(Row r, Object[] into) {
    for (int i = 0; i < into.length; i++) {
      Object v = r.get(i + 1);
      into[i] = v instanceof Instant t ? (Object) SparkValues.micros(t) : v;
    }
    return into;
  }

  /**
   * Sketch mode: a profile per (day, feature) built in each partition from rows of (day,
   * features…), only the bytes travel, merged on the driver into the core's daily profiles.
   */
  private static DayProfiles profile(List<ServiceFeature> features, Dataset<Row> rows) {
    List<FeatureColumn> columns = columns(features);
    StructType out = new StructType().add("day", DataTypes.LongType, false).add("feature", DataTypes.IntegerType, false)
        .add("profile", DataTypes.BinaryType, false);
    DayProfiles profiles = new DayProfiles(columns);
    Iterator<Row> it = rows.mapPartitions(new Profiles(columns), org.apache.spark.sql.Encoders.row(out)).toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      profiles.add(new DayProfiles.Entry(r.getLong(0), r.getInt(1), ColumnProfile.fromBytes((byte[]) r.get(2))));
    }
    return profiles;
  }

  /** One profile per (day, feature) of a partition's rows of (day, features…): day (epoch day), feature index, bytes. */
  private static final class Profiles implements org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final FeatureColumn[] columns;

    Profiles(List<FeatureColumn> columns) {
      this.columns = columns.toArray(FeatureColumn[]::new);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      DailyProfiler profiler = new DailyProfiler(List.of(columns));
      Object[] values = new Object[columns.length];
      while (input.hasNext()) {
        Row r = input.next();
        profiler.add(toLocalDate(r.get(0)).toEpochDay(), values(r, values));
      }
      List<Row> out = new ArrayList<>();
      for (DayProfiles.Entry e : profiler.build()) {
        out.add(RowFactory.create(e.epochDay(), e.feature(), e.profile().toBytes()));
      }
      return out.iterator();
    }
  }

  static LocalDate toLocalDate(Object v) {
    return v instanceof LocalDate d ? d : ((Date) v).toLocalDate();
  }

  /** Replaces the monitor's slices inside {@code range} with {@code rows}, in one commit. */
  private void write(String monitor, DayRange range, List<Row> rows) {
    String table = ctx.table(TABLE);
    Dataset<Row> data = ctx.spark().createDataFrame(rows, SCHEMA).coalesce(1);
    IcebergWrites.replaceRows(ctx, table, data, functions.col("monitor").equalTo(monitor)
            .and(functions.col("slice_start").geq(functions.lit(range.start())))
            .and(functions.col("slice_end").leq(functions.lit(range.end()))),
        functions.col("monitor"), functions.col("slice_start"), functions.col("slice_end"));
  }
}
