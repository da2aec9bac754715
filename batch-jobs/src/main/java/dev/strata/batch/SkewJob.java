package dev.strata.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.expr.BoundExpression;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledDerived;
import dev.strata.dsl.plan.CompiledPlan.CompiledEntity;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import dev.strata.monitoring.monitor.DayRange;
import dev.strata.monitoring.report.DriftReport;
import dev.strata.monitoring.skew.FeatureSkew;
import dev.strata.monitoring.skew.LoggedValues;
import dev.strata.monitoring.skew.SkewComparison;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Online/offline skew of a feature service: each served row logged in
 * {@code <ns>.served_features} over a range of days becomes a spine row (its entity keys, its
 * {@code served_at}) of the training sets' point-in-time computation
 * ({@link TrainingSetJob#withFeatures}), and each feature's served value is compared with that
 * offline value by {@link SkewComparison}: the same semantics a training set gets, so a
 * mismatch is a real difference between what the model was served and what it was trained on.
 * Derived features are evaluated from the offline values with feature-dsl's interpreter.
 *
 * <p>Results go to {@code <ns>.monitoring_skew}, one row per feature and slice, partitioned by
 * identity(service, slice_start, slice_end) so that a rerun replaces its slice.
 */
public final class SkewJob {
  public static final String TABLE = "monitoring_skew";

  static final StructType SCHEMA = new StructType()
      .add("service", DataTypes.StringType, false)
      .add("feature", DataTypes.StringType, false)
      .add("slice_start", DataTypes.DateType, false)
      .add("slice_end", DataTypes.DateType, false)
      .add("rows_compared", DataTypes.LongType, false)
      .add("rows_not_served", DataTypes.LongType, false)
      .add("mismatches", DataTypes.LongType, false)
      .add("mismatch_share", DataTypes.DoubleType, false)
      .add("mean_abs_diff", DataTypes.DoubleType, true)
      .add("max_abs_diff", DataTypes.DoubleType, true)
      .add("relative_tolerance", DataTypes.DoubleType, false)
      .add("examples", DataTypes.StringType, false)
      .add("computed_at", DataTypes.TimestampType, false);

  private static final String PRESENT = "PRESENT";

  private final JobContext ctx;
  private final SkewComparison comparison;

  public SkewJob(JobContext ctx, SkewComparison comparison) {
    this.ctx = ctx;
    this.comparison = comparison;
  }

  /** Whether the served log holds rows of {@code service} on the days of {@code slice}. */
  public boolean hasLog(String service, DayRange slice) {
    String table = ctx.table(LogIngestJob.SERVED_TABLE);
    return ctx.spark().catalog().tableExists(table) && !logged(service, slice).isEmpty();
  }

  private Dataset<Row> logged(String service, DayRange slice) {
    return ctx.spark().table(ctx.table(LogIngestJob.SERVED_TABLE))
        .where(functions.col("service").equalTo(service)
            .and(functions.to_date(functions.col("served_at")).between(slice.start(), slice.end())));
  }

  /** Computes and writes the skew of {@code serviceName}'s log over the days of {@code slice}. */
  public DriftReport.Skew run(String serviceName, DayRange slice) {
    CompiledPlan plan = ctx.plan();
    CompiledService service = plan.service(serviceName).orElseThrow(() -> new JobException("Cannot compute skew of service '"
        + serviceName + "': no such feature service (known: "
        + String.join(", ", plan.services().stream().map(CompiledService::name).toList()) + ")."));
    if (!ctx.spark().catalog().tableExists(ctx.table(LogIngestJob.SERVED_TABLE))) {
      throw new JobException("Cannot compute skew of service '" + serviceName + "': table " + ctx.table(LogIngestJob.SERVED_TABLE)
          + " does not exist (run log ingest first).");
    }
    List<String> entities = service.groups().stream().map(g -> plan.group(g).orElseThrow().entity()).distinct().toList();
    Dataset<Row> served = logged(serviceName, slice)
        .select(functions.col("request_id"), functions.col("served_at"), functions.col("entity_key"),
            functions.col("entities"), functions.col("features"), functions.col("statuses"))
        .withColumn(TrainingSetJob.ID, functions.monotonically_increasing_id());
    StructType spineSchema = served.schema().add(TrainingSetJob.TIME, DataTypes.LongType, false);
    for (String e : entities) {
      spineSchema = spineSchema.add("_k_" + e, DataTypes.StringType, true);
    }
    Dataset<Row> spine = served.mapPartitions(new SpineKeys(ctx.planRef(), entities), Encoders.row(spineSchema));
    Dataset<Row> joined = new TrainingSetJob(ctx).withFeatures(service, spine, functions.col(TrainingSetJob.TIME));
    List<Column> cols = new ArrayList<>(List.of(functions.col("request_id"), functions.col(TrainingSetJob.TIME),
        functions.col("entity_key"), functions.col("features"), functions.col("statuses")));
    service.features().forEach(f -> cols.add(functions.col(TrainingSetJob.columnName(f.qualifiedName()))));
    cols.add(functions.col("entities")); // the logged row: keys and the request inputs it was served with

    Schema serviceSchema = service.schema();
    // Derived features are recomputed over the offline features and the request inputs as logged.
    Schema evaluation = service.evaluationSchema();
    List<BoundExpression> derived = service.derived().stream().map(d -> BoundExpression.bind(d.expr(), evaluation)).toList();
    List<FeatureSkew.Counter> counters = new ArrayList<>();
    serviceSchema.fields().forEach(f -> counters.add(new FeatureSkew.Counter(f.name(), comparison)));
    ObjectMapper mapper = new ObjectMapper();
    int features = service.features().size();
    long rows = 0;
    // one row at a time on the driver: memory is the counters and their few examples
    Iterator<Row> it = joined.select(cols.toArray(Column[]::new)).toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      rows++;
      String requestId = r.getString(0);
      long servedAt = r.getLong(1);
      String entityText = r.getString(2);
      Map<String, String> servedValues = r.getJavaMap(3);
      Map<String, String> statuses = r.isNullAt(4) ? Map.of() : r.getJavaMap(4);
      Object[] offline = new Object[evaluation.size()];
      for (int f = 0; f < features; f++) {
        offline[f] = SparkValues.fromInternal(service.features().get(f).type(), r.get(5 + f));
      }
      Map<String, String> logged = r.isNullAt(5 + features) ? Map.of() : r.getJavaMap(5 + features);
      for (int q = 0; q < service.request().size(); q++) {
        Field input = service.request().get(q);
        String json = logged.get(input.name());
        try {
          offline[serviceSchema.size() + q] = json == null ? null : LoggedValues.read(mapper.readTree(json), input.type());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      for (int d = 0; d < derived.size(); d++) {
        CompiledDerived cd = service.derived().get(d);
        offline[evaluation.indexOf(cd.name())] = derived.get(d).eval(offline);
      }
      for (int f = 0; f < serviceSchema.size(); f++) {
        Field field = serviceSchema.field(f);
        String json = servedValues.get(field.name());
        if (json == null) {
          continue; // not logged: nothing to compare
        }
        String status = statuses.get(field.name());
        if (status != null && !status.equals(PRESENT)) {
          counters.get(f).notServed();
          continue;
        }
        Object servedValue;
        try {
          servedValue = LoggedValues.read(mapper.readTree(json), field.type());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        counters.get(f).compare(servedValue, offline[f], requestId, entityText, servedAt);
      }
    }
    List<FeatureSkew> result = counters.stream().map(FeatureSkew.Counter::build).toList();
    write(serviceName, slice, result);
    long mismatches = result.stream().mapToLong(FeatureSkew::mismatches).sum();
    ctx.progress().say(String.format(Locale.ROOT, "skew %s: %s, %,d served rows, %d features, %,d mismatches -> %s",
        serviceName, slice.label(), rows, result.size(), mismatches, ctx.table(TABLE)));
    return new DriftReport.Skew(serviceName, slice.label(), comparison.relativeTolerance(), result);
  }

  private void write(String service, DayRange slice, List<FeatureSkew> features) {
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    ObjectMapper mapper = new ObjectMapper();
    List<Row> rows = new ArrayList<>();
    for (FeatureSkew f : features) {
      List<Map<String, Object>> examples = new ArrayList<>();
      for (FeatureSkew.Example e : f.examples()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", e.requestId());
        m.put("entities", e.entities());
        m.put("served_at", dev.strata.dsl.time.Durations.formatInstant(e.servedAtMicros()));
        m.put("served", e.served());
        m.put("offline", e.offline());
        examples.add(m);
      }
      String json;
      try {
        json = mapper.writeValueAsString(examples);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      rows.add(RowFactory.create(service, f.feature(), slice.start(), slice.end(), f.rowsCompared(), f.rowsNotServed(),
          f.mismatches(), f.mismatchShare(), nan(f.meanAbsDiff()), nan(f.maxAbsDiff()), comparison.relativeTolerance(), json, at));
    }
    String table = ctx.table(TABLE);
    Dataset<Row> data = ctx.spark().createDataFrame(rows, SCHEMA).coalesce(1);
    IcebergWrites.replaceRows(ctx, table, data, functions.col("service").equalTo(service)
            .and(functions.col("slice_start").equalTo(functions.lit(slice.start())))
            .and(functions.col("slice_end").equalTo(functions.lit(slice.end()))),
        functions.col("service"), functions.col("slice_start"), functions.col("slice_end"));
  }

  private static Double nan(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** Adds {@code _t} (served_at in microseconds) and the encoded key of each entity from the logged entities. */
  private static final class SpineKeys implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final List<String> entities;

    SpineKeys(ProjectSnapshot ref, List<String> entities) {
      this.ref = ref;
      this.entities = entities;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      CompiledPlan plan = ref.plan();
      List<CompiledEntity> es = entities.stream().map(e -> plan.entity(e).orElseThrow()).toList();
      ObjectMapper mapper = new ObjectMapper();
      return TrainingSetJob.map(input, r -> {
        Object[] out = new Object[r.size() + 1 + es.size()];
        for (int i = 0; i < r.size(); i++) {
          out[i] = r.get(i);
        }
        out[r.size()] = SparkValues.micros((Instant) r.get(r.fieldIndex("served_at")));
        Map<String, String> logged = r.getJavaMap(r.fieldIndex("entities"));
        for (int e = 0; e < es.size(); e++) {
          List<Object> key = new ArrayList<>();
          for (Field k : es.get(e).keys()) {
            String json = logged.get(k.name());
            try {
              // typed as the entity declares (a bigint key stays a Long), else it would match no event
              key.add(json == null ? null : LoggedValues.read(mapper.readTree(json), k.type()));
            } catch (IOException x) {
              throw new UncheckedIOException(x);
            }
          }
          out[r.size() + 1 + e] = Keys.encode(key);
        }
        return RowFactory.create(out);
      });
    }
  }
}
