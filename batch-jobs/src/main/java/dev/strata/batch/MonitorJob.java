package dev.strata.batch;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledMonitor;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Metrics;
import dev.strata.monitoring.drift.SketchDrift;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.profile.ColumnProfile;
import dev.strata.monitoring.profile.ColumnProfileBuilder;
import dev.strata.monitoring.performance.ModelPerformance;
import dev.strata.monitoring.report.DriftReport;
import dev.strata.monitoring.skew.SkewComparison;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

  /** A day range, both ends inclusive. */
  public record Slice(LocalDate start, LocalDate end) {
    boolean contains(LocalDate day) {
      return !day.isBefore(start) && !day.isAfter(end);
    }

    String label() {
      return start.equals(end) ? start.toString() : start + " \u2026 " + end;
    }
  }

  /** What a run computed and wrote. */
  public record Result(DriftReport report, Slice reference, Slice current, List<Slice> timeline, long rows) {}

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
    Slice reference = referenceDays(m);
    // Snapshots are daily: a period shorter than a day, or not a whole number of days, rounds up.
    int periodDays = m.everyMicros() == null ? 1 : (int) Math.max(1, -Math.floorDiv(-m.everyMicros(), Durations.DAY));
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
    Slice current = from != null ? new Slice(from, to) : latestPeriod(name, byGroup.keySet(), periodDays);
    List<Slice> timeline = periods(current, periodDays);

    Thresholds thresholds;
    try {
      thresholds = Thresholds.forMonitor(m);
    } catch (IllegalArgumentException e) {
      throw new JobException("Cannot monitor '" + name + "': " + e.getMessage() + ".");
    }
    ExactDrift drift = new ExactDrift(thresholds);
    List<FeatureDrift> currentDrift = new ArrayList<>();
    List<List<FeatureDrift>> perPeriod = new ArrayList<>();
    timeline.forEach(s -> perPeriod.add(new ArrayList<>()));
    List<ProfileTable.DayProfile> dayProfiles = new ArrayList<>();
    long budget = maxExactValues;
    Map<String, List<String>> segmentColumns = segmentColumns(m, byGroup.keySet());
    for (Map.Entry<String, List<ServiceFeature>> e : byGroup.entrySet()) {
      List<String> segments = segmentColumns.get(e.getKey());
      Columns cols = sketch ? null : collect(name, e.getKey(), e.getValue(), segments, reference, current, budget);
      if (cols == null) {
        if (!sketch) {
          ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %s holds more than the %,d values left for exact"
              + " drift (--max-exact-values); drift of its features from sketches", name, ctx.table(e.getKey()), budget));
        }
        sketchDrift(name, e.getKey(), e.getValue(), reference, current, timeline, thresholds, currentDrift, perPeriod,
            dayProfiles);
        if (!segments.isEmpty()) {
          ctx.progress().say("monitor " + name + ": segments of " + ctx.table(e.getKey()) + " left out (sketch mode)");
        }
        continue;
      }
      budget -= cols.values();
      if (cols.count(reference) == 0) {
        throw new JobException("Cannot monitor '" + name + "': " + ctx.table(e.getKey()) + " has no rows for the reference "
            + reference.label() + " (run backfill " + e.getKey() + " --from " + reference.start() + " --to " + reference.end() + ").");
      }
      if (cols.count(current) == 0) {
        throw new JobException("Cannot monitor '" + name + "': " + ctx.table(e.getKey()) + " has no rows for "
            + current.label() + " (run backfill " + e.getKey() + " --from " + current.start() + " --to " + current.end() + ").");
      }
      addDrift(cols, drift, reference, current, timeline, currentDrift, perPeriod);
      addSegmentDrift(cols, drift, reference, current, segmentsTop, currentDrift);
      dayProfiles.addAll(cols.dayProfiles());
    }
    Predictions predictions = predictions(m, reference, current);
    if (predictions != null) {
      Columns cols = collect(name, predictions.rows(), predictions.columns(), budget);
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
        addDrift(cols, drift, reference, current, timeline, currentDrift, perPeriod);
        dayProfiles.addAll(cols.dayProfiles());
      }
    }

    Instant computedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<DriftReport.Slice> slices = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    addRows(rows, m, current, currentDrift, computedAt);
    if (timeline.size() > 1) {
      for (int p = 0; p < timeline.size(); p++) {
        slices.add(new DriftReport.Slice(timeline.get(p).label(), perPeriod.get(p)));
        addRows(rows, m, timeline.get(p), perPeriod.get(p), computedAt);
      }
    }
    write(m.name(), current, rows);
    long profiles = ProfileTable.write(ctx, m.name(), List.of(reference, current), dayProfiles, computedAt);
    ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %,d daily profiles of %s and %s -> %s",
        m.name(), profiles, reference.label(), current.label(), ctx.table(ProfileTable.TABLE)));
    DriftReport report = new DriftReport("Monitor " + m.name() + " (service " + service.name() + ")",
        reference.label(), current.label(), currentDrift, slices, thresholds, computedAt.truncatedTo(ChronoUnit.SECONDS).toString());
    LabelledPairs labelled = predictions == null ? null : labelledPairs(name, predictions);
    if (labelled != null) {
      ModelPerformance performance = ModelPerformance.compare(labelled.model(), labelled.metrics(reference),
          labelled.count(reference), labelled.metrics(current), labelled.count(current));
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
        m.name(), current.label(), reference.label(), currentDrift.size(), rows.size(), ctx.table(TABLE), report.overall().label()));
    return new Result(report, reference, current, timeline, rows.size());
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

  /**
   * Drift of the current slice per segment: for each segment column, the {@code top} values
   * with most reference rows (ties by value), each drifted on its own rows as feature
   * {@code <feature>[<column>=<value>]}; a segment without current rows is left out.
   */
  private static void addSegmentDrift(Columns cols, ExactDrift drift, Slice reference, Slice current, int top,
      List<FeatureDrift> out) {
    for (int seg = cols.drifted; seg < cols.features.size(); seg++) {
      String column = cols.features.get(seg).feature();
      Map<String, Long> counts = new java.util.TreeMap<>();
      for (int i = 0; i < cols.size; i++) {
        if (cols.in(reference, i) && cols.texts[seg][i] != null) {
          counts.merge(cols.texts[seg][i], 1L, Long::sum);
        }
      }
      List<String> values = counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(top).map(Map.Entry::getKey).toList();
      for (String v : values) {
        if (cols.count(current, seg, v) == 0) {
          continue;
        }
        for (int f = 0; f < cols.drifted; f++) {
          out.add(cols.drift(drift, cols.features.get(f).qualifiedName() + "[" + column + "=" + v + "]", f, reference, current,
              seg, v));
        }
      }
    }
  }

  private static void addDrift(Columns cols, ExactDrift drift, Slice reference, Slice current, List<Slice> timeline,
      List<FeatureDrift> currentDrift, List<List<FeatureDrift>> perPeriod) {
    for (int f = 0; f < cols.drifted; f++) {
      String name = cols.features.get(f).qualifiedName();
      currentDrift.add(cols.drift(drift, name, f, reference, current));
      if (timeline.size() > 1) {
        for (int p = 0; p < timeline.size(); p++) {
          perPeriod.get(p).add(cols.drift(drift, name, f, reference, timeline.get(p)));
        }
      }
    }
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
  private Predictions predictions(CompiledMonitor m, Slice reference, Slice current) {
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

  /** The predictions that have a label, with their days: numbers (scores) or texts (classes). */
  record LabelledPairs(String model, List<LocalDate> days, double[] predictions, double[] labels,
      String[] predictedClasses, String[] labelClasses) {
    boolean numeric() {
      return predictions != null;
    }

    long count(Slice slice) {
      return days.stream().filter(slice::contains).count();
    }

    /** The metrics of the pairs whose day lies in {@code slice}. */
    Map<String, Double> metrics(Slice slice) {
      int[] in = java.util.stream.IntStream.range(0, days.size()).filter(i -> slice.contains(days.get(i))).toArray();
      if (numeric()) {
        return ModelPerformance.numeric(Arrays.stream(in).mapToDouble(i -> predictions[i]).toArray(),
            Arrays.stream(in).mapToDouble(i -> labels[i]).toArray());
      }
      return ModelPerformance.categorical(Arrays.stream(in).mapToObj(i -> predictedClasses[i]).toArray(String[]::new),
          Arrays.stream(in).mapToObj(i -> labelClasses[i]).toArray(String[]::new));
    }
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
      return new LabelledPairs(prediction.group(), days, rows.stream().mapToDouble(r -> r.getDouble(1)).toArray(),
          rows.stream().mapToDouble(r -> r.getDouble(2)).toArray(), null, null);
    }
    return new LabelledPairs(prediction.group(), days, null, null, rows.stream().map(r -> r.getString(1)).toArray(String[]::new),
        rows.stream().map(r -> r.getString(2)).toArray(String[]::new));
  }

  /**
   * Replaces the monitor's rows of {@code <ns>.monitoring_performance} for the current slice
   * and, with {@code every}, for each period: the model's metrics over that slice's labelled
   * pairs (performance over time).
   */
  private void writePerformance(String monitor, LabelledPairs labelled, Slice current, List<Slice> timeline,
      Instant computedAt) {
    List<Row> rows = new ArrayList<>();
    List<Slice> slices = new ArrayList<>(List.of(current));
    if (timeline.size() > 1) {
      slices.addAll(timeline);
    }
    for (Slice slice : slices) {
      long n = labelled.count(slice);
      labelled.metrics(slice).forEach((metric, value) -> rows.add(RowFactory.create(monitor, labelled.model(),
          slice.start(), slice.end(), metric, Double.isNaN(value) ? null : value, n, computedAt)));
    }
    String table = ctx.table(PERFORMANCE_TABLE);
    Dataset<Row> data = ctx.spark().createDataFrame(rows, PERFORMANCE_SCHEMA).coalesce(1);
    LocalDate first = slices.stream().map(Slice::start).min(LocalDate::compareTo).orElseThrow();
    IcebergWrites.replaceRows(ctx, table, data, functions.col("monitor").equalTo(monitor)
            .and(functions.col("slice_start").geq(functions.lit(first)))
            .and(functions.col("slice_end").leq(functions.lit(current.end()))),
        functions.col("monitor"), functions.col("slice_start"), functions.col("slice_end"));
  }

  private static String value(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4g", v);
  }

  /** The days whose start lies in the monitor's reference [from, to). */
  static Slice referenceDays(CompiledMonitor m) {
    LocalDate first = LocalDate.ofInstant(Durations.toInstant(m.referenceFromMicros() + Durations.DAY - 1), ZoneOffset.UTC);
    LocalDate last = LocalDate.ofInstant(Durations.toInstant(m.referenceToMicros() - 1), ZoneOffset.UTC);
    if (last.isBefore(first)) {
      throw new JobException("Cannot monitor '" + m.name() + "': its reference holds no whole day.");
    }
    return new Slice(first, last);
  }

  /** Consecutive periods of {@code days} from the slice's start; the last may be shorter. */
  static List<Slice> periods(Slice s, int days) {
    List<Slice> out = new ArrayList<>();
    for (LocalDate d = s.start(); !d.isAfter(s.end()); d = d.plusDays(days)) {
      LocalDate end = d.plusDays(days - 1L);
      out.add(new Slice(d, end.isAfter(s.end()) ? s.end() : end));
    }
    return out;
  }

  private Slice latestPeriod(String name, Iterable<String> groups, int days) {
    LocalDate latest = null;
    for (String g : groups) {
      Row r = ctx.spark().table(ctx.table(g)).agg(functions.max("day")).first();
      LocalDate d = r.isNullAt(0) ? null : toLocalDate(r.get(0));
      latest = d == null ? latest : latest == null || d.isAfter(latest) ? d : latest;
    }
    if (latest == null) {
      throw new JobException("Cannot monitor '" + name + "': the snapshot tables are empty (run backfill first).");
    }
    return new Slice(latest.minusDays(days - 1L), latest);
  }

  private static boolean monitored(DataType t) {
    // lists and maps have no one-dimensional distribution to compare
    return t instanceof DataType.Primitive;
  }

  private static boolean numeric(DataType t) {
    return t.isNumeric() || t == DataType.TIMESTAMP;
  }

  /** The days of reference and current of one group's snapshot table, column by column. */
  private Columns collect(String monitor, String group, List<ServiceFeature> features, List<String> segments,
      Slice reference, Slice current, long budget) {
    Column days = functions.col("day").between(reference.start(), reference.end())
        .or(functions.col("day").between(current.start(), current.end()));
    List<Column> select = new ArrayList<>();
    select.add(functions.col("day"));
    features.forEach(f -> select.add(functions.col(StrataSpark.quote(f.feature()))));
    // segment columns ride along as text columns after the features, never drifted themselves
    List<ServiceFeature> all = new ArrayList<>(features);
    for (String s : segments) {
      select.add(functions.col(StrataSpark.quote(s)).cast("string"));
      all.add(new ServiceFeature(s, group, s, DataType.STRING));
    }
    Dataset<Row> rows = ctx.spark().table(ctx.table(group)).where(days).select(select.toArray(Column[]::new));
    Columns cols = collect(monitor, rows, all, budget);
    if (cols != null) {
      cols.drifted = features.size();
    }
    return cols;
  }

  /** Rows of (day, one column per feature) to the driver, column by column. */
  private Columns collect(String monitor, Dataset<Row> rows, List<ServiceFeature> features, long budget) {
    Columns cols = new Columns(features);
    // toLocalIterator holds one partition at a time, so the driver keeps only the arrays
    Iterator<Row> it = rows.toLocalIterator();
    while (it.hasNext()) {
      if ((long) (cols.size + 1) * features.size() > budget) {
        return null; // too many for the driver: the caller falls back to sketches
      }
      cols.add(it.next());
    }
    return cols;
  }

  /**
   * Drift of one group's features from sketches: a profile per (day, feature) built in each
   * partition, merged on the driver into the day's profile (profiles are mergeable), the days
   * merged into each slice's, compared by SketchDrift. The days' profiles go to
   * {@code dayProfiles}.
   */
  private void sketchDrift(String monitor, String group, List<ServiceFeature> features, Slice reference, Slice current,
      List<Slice> timeline, Thresholds thresholds, List<FeatureDrift> currentDrift, List<List<FeatureDrift>> perPeriod,
      List<ProfileTable.DayProfile> dayProfiles) {
    List<Slice> slices = new ArrayList<>(List.of(reference, current));
    if (timeline.size() > 1) {
      slices.addAll(timeline);
    }
    Column days = functions.col("day").between(reference.start(), reference.end())
        .or(functions.col("day").between(current.start(), current.end()));
    List<Column> select = new ArrayList<>(List.of(functions.col("day")));
    features.forEach(f -> select.add(functions.col(StrataSpark.quote(f.feature()))));
    Dataset<Row> rows = ctx.spark().table(ctx.table(group)).where(days).select(select.toArray(Column[]::new));
    boolean[] isNumeric = new boolean[features.size()];
    for (int f = 0; f < isNumeric.length; f++) {
      isNumeric[f] = numeric(features.get(f).type());
    }
    StructType out = new StructType().add("day", DataTypes.LongType, false).add("feature", DataTypes.IntegerType, false)
        .add("profile", DataTypes.BinaryType, false);
    Map<Long, ColumnProfile[]> byDay = new java.util.TreeMap<>();
    Iterator<Row> it = rows.mapPartitions(new Profiles(
        features.stream().map(ServiceFeature::qualifiedName).toArray(String[]::new), isNumeric), org.apache.spark.sql.Encoders.row(out)).toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      ColumnProfile p = ColumnProfile.fromBytes((byte[]) r.get(2));
      ColumnProfile[] day = byDay.computeIfAbsent(r.getLong(0), d -> new ColumnProfile[features.size()]);
      int f = r.getInt(1);
      day[f] = day[f] == null ? p : day[f].merge(p);
    }
    ColumnProfile[][] merged = new ColumnProfile[slices.size()][features.size()];
    for (Map.Entry<Long, ColumnProfile[]> d : byDay.entrySet()) {
      LocalDate day = LocalDate.ofEpochDay(d.getKey());
      for (int f = 0; f < features.size(); f++) {
        ColumnProfile p = d.getValue()[f];
        dayProfiles.add(new ProfileTable.DayProfile(features.get(f).qualifiedName(), day, p));
        for (int s = 0; s < slices.size(); s++) {
          if (slices.get(s).contains(day)) {
            merged[s][f] = merged[s][f] == null ? p : merged[s][f].merge(p);
          }
        }
      }
    }
    for (int s = 0; s < 2; s++) {
      if (merged[s][0] == null || merged[s][0].count() == 0) {
        Slice missing = slices.get(s);
        throw new JobException("Cannot monitor '" + monitor + "': " + ctx.table(group) + " has no rows for "
            + (s == 0 ? "the reference " : "") + missing.label() + " (run backfill " + group + " --from " + missing.start()
            + " --to " + missing.end() + ").");
      }
    }
    SketchDrift drift = new SketchDrift(thresholds);
    for (int f = 0; f < features.size(); f++) {
      String name = features.get(f).qualifiedName();
      currentDrift.add(drift.between(merged[0][f], merged[1][f]));
      if (timeline.size() > 1) {
        for (int p = 0; p < timeline.size(); p++) {
          var cur = merged[2 + p][f];
          perPeriod.get(p).add(drift.between(merged[0][f], cur == null ? empty(isNumeric[f], name) : cur));
        }
      }
    }
  }

  private static ColumnProfile empty(boolean numeric, String name) {
    return builder(numeric, name).build();
  }

  private static ColumnProfileBuilder builder(boolean numeric, String name) {
    return numeric ? ColumnProfile.numeric(name) : ColumnProfile.categorical(name);
  }

  /** One profile per (day, feature) of a partition's rows of (day, features…): day (epoch day), feature index, bytes. */
  private static final class Profiles implements org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row> {
    private final String[] names;
    private final boolean[] isNumeric;

    Profiles(String[] names, boolean[] isNumeric) {
      this.names = names;
      this.isNumeric = isNumeric;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      Map<Long, ColumnProfileBuilder[]> byDay = new java.util.TreeMap<>();
      long last = Long.MIN_VALUE;
      ColumnProfileBuilder[] builders = null;
      while (input.hasNext()) {
        Row r = input.next();
        long day = toLocalDate(r.get(0)).toEpochDay();
        if (builders == null || day != last) { // rows come mostly day by day: skip the map lookup
          last = day;
          builders = byDay.computeIfAbsent(day, d -> builders(names, isNumeric));
        }
        for (int f = 0; f < isNumeric.length; f++) {
          Object v = r.get(f + 1);
          if (v == null) {
            builders[f].addNull();
          } else if (isNumeric[f]) {
            builders[f].add(v instanceof Instant i ? SparkValues.micros(i) : ((Number) v).doubleValue());
          } else {
            builders[f].add(v.toString());
          }
        }
      }
      List<Row> out = new ArrayList<>();
      for (Map.Entry<Long, ColumnProfileBuilder[]> e : byDay.entrySet()) {
        for (int f = 0; f < isNumeric.length; f++) {
          out.add(RowFactory.create(e.getKey(), f, e.getValue()[f].build().toBytes()));
        }
      }
      return out.iterator();
    }
  }

  private static ColumnProfileBuilder[] builders(String[] names, boolean[] isNumeric) {
    ColumnProfileBuilder[] b = new ColumnProfileBuilder[names.length];
    for (int f = 0; f < b.length; f++) {
      b[f] = builder(isNumeric[f], names[f]);
    }
    return b;
  }

  /** Feature values of one group by row, with each row's day (epoch day). */
  private static final class Columns {
    private final List<ServiceFeature> features;
    private final boolean[] isNumeric;
    private long[] days = new long[1024];
    private final double[][] numbers;
    private final String[][] texts;
    private int size;
    /** Columns before this index are drifted; the rest are segment columns. */
    private int drifted;

    Columns(List<ServiceFeature> features) {
      this.features = features;
      this.drifted = features.size();
      int n = features.size();
      isNumeric = new boolean[n];
      numbers = new double[n][];
      texts = new String[n][];
      for (int f = 0; f < n; f++) {
        isNumeric[f] = numeric(features.get(f).type());
        if (isNumeric[f]) {
          numbers[f] = new double[days.length];
        } else {
          texts[f] = new String[days.length];
        }
      }
    }

    long values() {
      return (long) size * features.size();
    }

    void add(Row r) {
      if (size == days.length) {
        int cap = days.length * 2;
        days = Arrays.copyOf(days, cap);
        for (int f = 0; f < features.size(); f++) {
          if (isNumeric[f]) {
            numbers[f] = Arrays.copyOf(numbers[f], cap);
          } else {
            texts[f] = Arrays.copyOf(texts[f], cap);
          }
        }
      }
      days[size] = toLocalDate(r.get(0)).toEpochDay();
      for (int f = 0; f < features.size(); f++) {
        Object v = r.get(f + 1);
        if (isNumeric[f]) {
          // NaN is the core's null; timestamps compare as microseconds
          numbers[f][size] = v == null ? Double.NaN : v instanceof Instant i ? SparkValues.micros(i) : ((Number) v).doubleValue();
        } else {
          texts[f][size] = v == null ? null : v.toString();
        }
      }
      size++;
    }

    long count(Slice s) {
      return count(s, -1, null);
    }

    /**
     * One profile per day and drifted feature, from the values already here (no second read of
     * the table); a numeric NaN is the core's null, and the profile's too.
     */
    List<ProfileTable.DayProfile> dayProfiles() {
      String[] names = new String[drifted];
      boolean[] kinds = Arrays.copyOf(isNumeric, drifted);
      for (int f = 0; f < drifted; f++) {
        names[f] = features.get(f).qualifiedName();
      }
      Map<Long, ColumnProfileBuilder[]> byDay = new java.util.TreeMap<>();
      long last = Long.MIN_VALUE;
      ColumnProfileBuilder[] builders = null;
      for (int i = 0; i < size; i++) {
        if (builders == null || days[i] != last) {
          last = days[i];
          builders = byDay.computeIfAbsent(last, d -> builders(names, kinds));
        }
        for (int f = 0; f < drifted; f++) {
          if (isNumeric[f]) {
            builders[f].add(numbers[f][i]);
          } else {
            builders[f].add(texts[f][i]);
          }
        }
      }
      List<ProfileTable.DayProfile> out = new ArrayList<>();
      for (Map.Entry<Long, ColumnProfileBuilder[]> e : byDay.entrySet()) {
        for (int f = 0; f < drifted; f++) {
          out.add(new ProfileTable.DayProfile(names[f], LocalDate.ofEpochDay(e.getKey()), e.getValue()[f].build()));
        }
      }
      return out;
    }

    /** Rows of the slice; with {@code seg} ≥ 0 only those whose segment column {@code seg} is {@code value}. */
    long count(Slice s, int seg, String value) {
      long n = 0;
      for (int i = 0; i < size; i++) {
        n += in(s, i, seg, value) ? 1 : 0;
      }
      return n;
    }

    private boolean in(Slice s, int i) {
      return days[i] >= s.start().toEpochDay() && days[i] <= s.end().toEpochDay();
    }

    private boolean in(Slice s, int i, int seg, String value) {
      return in(s, i) && (seg < 0 || value.equals(texts[seg][i]));
    }

    FeatureDrift drift(ExactDrift drift, String name, int f, Slice reference, Slice current) {
      return drift(drift, name, f, reference, current, -1, null);
    }

    FeatureDrift drift(ExactDrift drift, String name, int f, Slice reference, Slice current, int seg, String value) {
      if (isNumeric[f]) {
        return drift.numeric(name, numbers(f, reference, seg, value), numbers(f, current, seg, value));
      }
      return drift.categorical(name, texts(f, reference, seg, value), texts(f, current, seg, value));
    }

    private double[] numbers(int f, Slice s, int seg, String value) {
      double[] out = new double[(int) count(s, seg, value)];
      int j = 0;
      for (int i = 0; i < size; i++) {
        if (in(s, i, seg, value)) {
          out[j++] = numbers[f][i];
        }
      }
      return out;
    }

    private String[] texts(int f, Slice s, int seg, String value) {
      String[] out = new String[(int) count(s, seg, value)];
      int j = 0;
      for (int i = 0; i < size; i++) {
        if (in(s, i, seg, value)) {
          out[j++] = texts[f][i];
        }
      }
      return out;
    }
  }

  static LocalDate toLocalDate(Object v) {
    return v instanceof LocalDate d ? d : ((Date) v).toLocalDate();
  }

  /**
   * The metrics a monitor's {@code metrics:} list selects for the table (all when empty): a
   * test's p-value comes with its statistic, the normed Wasserstein with the raw one, the null
   * rates with {@code null_rate}, the unseen share with {@code out_of_range}. The null-rate
   * change is always kept: every feature has it in every slice (an all-null day has nothing
   * else), so each feature × slice has a row that carries its status.
   */
  static boolean selected(CompiledMonitor m, String metric) {
    if (m.metrics() == null || m.metrics().isEmpty() || metric.equals(Metrics.NULL_RATE_CHANGE)) {
      return true;
    }
    for (String listed : m.metrics()) {
      String c = Metrics.canonical(listed);
      Set<String> family = switch (c) {
        case Metrics.KS -> Set.of(Metrics.KS, Metrics.KS_PVALUE);
        case Metrics.CHI_SQUARE -> Set.of(Metrics.CHI_SQUARE, Metrics.CHI_SQUARE_PVALUE);
        case Metrics.WASSERSTEIN -> Set.of(Metrics.WASSERSTEIN, Metrics.WASSERSTEIN_NORMED);
        case Metrics.NULL_RATE_CHANGE -> Set.of(Metrics.NULL_RATE_CHANGE, Metrics.REFERENCE_NULL_RATE, Metrics.CURRENT_NULL_RATE);
        case Metrics.OUT_OF_RANGE -> Set.of(Metrics.OUT_OF_RANGE, Metrics.UNSEEN_SHARE);
        default -> Set.of(c);
      };
      if (family.contains(metric)) {
        return true;
      }
    }
    return false;
  }

  private static void addRows(List<Row> rows, CompiledMonitor m, Slice s, List<FeatureDrift> features, Instant at) {
    for (FeatureDrift f : features) {
      for (Map.Entry<String, Double> e : f.metrics().entrySet()) {
        if (selected(m, e.getKey())) {
          double v = e.getValue();
          rows.add(RowFactory.create(m.name(), f.feature(), s.start(), s.end(), e.getKey(),
              Double.isNaN(v) ? null : v, f.status().label(), f.mode().label(), at));
        }
      }
    }
  }

  /** Replaces the monitor's slices inside {@code range} with {@code rows}, in one commit. */
  private void write(String monitor, Slice range, List<Row> rows) {
    String table = ctx.table(TABLE);
    Dataset<Row> data = ctx.spark().createDataFrame(rows, SCHEMA).coalesce(1);
    IcebergWrites.replaceRows(ctx, table, data, functions.col("monitor").equalTo(monitor)
            .and(functions.col("slice_start").geq(functions.lit(range.start())))
            .and(functions.col("slice_end").leq(functions.lit(range.end()))),
        functions.col("monitor"), functions.col("slice_start"), functions.col("slice_end"));
  }
}
