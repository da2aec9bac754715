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
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.report.DriftReport;
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
 * <p>Exact mode only: the feature columns of the days needed are streamed to the driver into
 * primitive arrays (no Row is kept), and the job refuses, in one sentence, when they hold more
 * than {@code maxExactValues} values (rows × features, all groups; 8 bytes each for numbers).
 *
 * <p>Results go to {@code <ns>.monitoring_drift}, one row per feature × slice × metric,
 * partitioned by identity(monitor, slice_start, slice_end) so that a rerun replaces, in one
 * Iceberg commit, every slice of the monitor that lies inside its current range.
 */
public final class MonitorJob {
  /** The drift table's name inside the project's namespace. */
  public static final String TABLE = "monitoring_drift";
  /** Exact mode's default limit: 20M values, about 160 MB of doubles on the driver. */
  public static final long DEFAULT_MAX_EXACT_VALUES = 20_000_000L;

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

  public MonitorJob(JobContext ctx) {
    this(ctx, DEFAULT_MAX_EXACT_VALUES);
  }

  public MonitorJob(JobContext ctx, long maxExactValues) {
    this.ctx = ctx;
    this.maxExactValues = maxExactValues;
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
    long budget = maxExactValues;
    for (Map.Entry<String, List<ServiceFeature>> e : byGroup.entrySet()) {
      Columns cols = collect(name, e.getKey(), e.getValue(), reference, current, budget);
      budget -= cols.values();
      if (cols.count(reference) == 0) {
        throw new JobException("Cannot monitor '" + name + "': " + ctx.table(e.getKey()) + " has no rows for the reference "
            + reference.label() + " (run backfill " + e.getKey() + " --from " + reference.start() + " --to " + reference.end() + ").");
      }
      if (cols.count(current) == 0) {
        throw new JobException("Cannot monitor '" + name + "': " + ctx.table(e.getKey()) + " has no rows for "
            + current.label() + " (run backfill " + e.getKey() + " --from " + current.start() + " --to " + current.end() + ").");
      }
      for (int f = 0; f < e.getValue().size(); f++) {
        ServiceFeature sf = e.getValue().get(f);
        currentDrift.add(cols.drift(drift, sf.qualifiedName(), f, reference, current));
        if (timeline.size() > 1) {
          for (int p = 0; p < timeline.size(); p++) {
            perPeriod.get(p).add(cols.drift(drift, sf.qualifiedName(), f, reference, timeline.get(p)));
          }
        }
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
    DriftReport report = new DriftReport("Monitor " + m.name() + " (service " + service.name() + ")",
        reference.label(), current.label(), currentDrift, slices, thresholds, computedAt.truncatedTo(ChronoUnit.SECONDS).toString());
    ctx.progress().say(String.format(Locale.ROOT, "monitor %s: %s vs reference %s, %d features, %,d rows -> %s: %s",
        m.name(), current.label(), reference.label(), currentDrift.size(), rows.size(), ctx.table(TABLE), report.overall().label()));
    return new Result(report, reference, current, timeline, rows.size());
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
  private Columns collect(String monitor, String group, List<ServiceFeature> features, Slice reference, Slice current,
      long budget) {
    Column days = functions.col("day").between(reference.start(), reference.end())
        .or(functions.col("day").between(current.start(), current.end()));
    List<Column> select = new ArrayList<>();
    select.add(functions.col("day"));
    features.forEach(f -> select.add(functions.col(StrataSpark.quote(f.feature()))));
    Dataset<Row> rows = ctx.spark().table(ctx.table(group)).where(days).select(select.toArray(Column[]::new));
    Columns cols = new Columns(features);
    // toLocalIterator holds one partition at a time, so the driver keeps only the arrays
    Iterator<Row> it = rows.toLocalIterator();
    while (it.hasNext()) {
      if ((long) (cols.size + 1) * features.size() > budget) {
        throw new JobException(String.format(Locale.ROOT, "Cannot monitor '%s' exactly: the reference and current days hold"
            + " more than %,d feature values (--max-exact-values); narrow --from/--to or raise the limit.", monitor, maxExactValues));
      }
      cols.add(it.next());
    }
    return cols;
  }

  /** Feature values of one group by row, with each row's day (epoch day). */
  private static final class Columns {
    private final List<ServiceFeature> features;
    private final boolean[] isNumeric;
    private long[] days = new long[1024];
    private final double[][] numbers;
    private final String[][] texts;
    private int size;

    Columns(List<ServiceFeature> features) {
      this.features = features;
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
      long n = 0;
      for (int i = 0; i < size; i++) {
        n += in(s, i) ? 1 : 0;
      }
      return n;
    }

    private boolean in(Slice s, int i) {
      return days[i] >= s.start().toEpochDay() && days[i] <= s.end().toEpochDay();
    }

    FeatureDrift drift(ExactDrift drift, String name, int f, Slice reference, Slice current) {
      if (isNumeric[f]) {
        return drift.numeric(name, numbers(f, reference), numbers(f, current));
      }
      return drift.categorical(name, texts(f, reference), texts(f, current));
    }

    private double[] numbers(int f, Slice s) {
      double[] out = new double[(int) count(s)];
      int j = 0;
      for (int i = 0; i < size; i++) {
        if (in(s, i)) {
          out[j++] = numbers[f][i];
        }
      }
      return out;
    }

    private String[] texts(int f, Slice s) {
      String[] out = new String[(int) count(s)];
      int j = 0;
      for (int i = 0; i < size; i++) {
        if (in(s, i)) {
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
    try {
      if (!ctx.spark().catalog().tableExists(table)) {
        data.writeTo(table)
            .partitionedBy(functions.col("monitor"), functions.col("slice_start"), functions.col("slice_end"))
            .tableProperty("format-version", "2")
            .create();
        return;
      }
      // Identity partitions: the filter selects whole files, as an overwrite by filter requires.
      Column mine = functions.col("monitor").equalTo(monitor)
          .and(functions.col("slice_start").geq(functions.lit(range.start())))
          .and(functions.col("slice_end").leq(functions.lit(range.end())));
      data.writeTo(table).overwrite(mine);
    } catch (Exception e) {
      throw new JobException("Cannot write " + table + ": " + StrataSpark.firstLine(e) + ".", e);
    }
  }
}
