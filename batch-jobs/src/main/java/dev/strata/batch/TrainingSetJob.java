package dev.strata.batch;

import dev.strata.dsl.expr.BoundExpression;
import dev.strata.dsl.expr.TypedExpr;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledDerived;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan.CompiledTrainingSet;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Point-in-time training sets. For each feature group of the service, events and spine rows are
 * unioned, partitioned by entity key and sorted by (key, time, spine before event); one sweep
 * per key keeps the key's tiles and evaluates each spine row with FeatureAssembler. Work and
 * memory grow with events + spine rows (never with window length × rows), and one hot key costs
 * one long task, not a blow-up. The groups' results are joined back to the spine on a row id
 * (left joins: no spine row is dropped or duplicated), then derived features are evaluated with
 * the same expression interpreter as everywhere else.
 *
 * <p>Output columns: the spine's columns (its source's, or a file spine's), {@code label}, one column per service feature
 * named {@code <group>__<feature>} (Feast's full feature names; dots trip up SQL readers),
 * then the derived features.
 */
public final class TrainingSetJob {
  static final String ID = "_id";
  static final String KEY = "_k";
  static final String TIME = "_t";
  static final String KIND = "_kind";
  static final int SPINE = 0;
  static final int EVENT = 1;

  private final JobContext ctx;

  public TrainingSetJob(JobContext ctx) {
    this.ctx = ctx;
  }

  /** The column name of a service feature in training sets. */
  public static String columnName(String qualifiedName) {
    return qualifiedName.replace(".", "__");
  }

  /**
   * Computes the training set (not written); {@code spinePath} null uses the plan's spine (its
   * source's events or its file), else the rows of that file, read with the spine's columns.
   * Every row of a spine file must fit: a row that does not (a time or key that does not parse)
   * stops the job with the first reason, since a training set silently missing rows no longer
   * lines up with what was asked for.
   */
  public Dataset<Row> compute(String name, String spinePath) {
    CompiledPlan plan = ctx.plan();
    CompiledTrainingSet ts = plan.trainingSet(name).orElseThrow(() -> new JobException(
        "Cannot build training set '" + name + "': no such training set (known: "
            + String.join(", ", plan.trainingSets().stream().map(CompiledTrainingSet::name).toList()) + ")."));
    CompiledService service = plan.service(ts.service()).orElseThrow();
    Schema spineSchema = ts.spineSchema();
    String file = spinePath != null ? spinePath : ts.spineSource() == null ? ts.spinePath() : null;
    // A --spine file for a source spine may hold just the keys' columns and the time (issue 19
    // item 12): the source's other columns are NULL while the spine is evaluated, then left out.
    List<String> absent = spinePath != null && ts.spineSource() != null ? absentSpineColumns(ts, spinePath) : List.of();
    SourceReader.Result spineRead = file == null ? ctx.read(plan.source(ts.spineSource()).orElseThrow())
        : readSpineFile(ts, file, absent);
    ctx.progress().say(String.format(Locale.ROOT, "spine: %,d rows (%,d rejected)", spineRead.rows(), spineRead.rejected()));

    List<String> entities = new ArrayList<>(ts.keys().keySet());
    Dataset<Row> spineEvents = spineRead.events();
    if (!absent.isEmpty()) {
      List<Column> full = new ArrayList<>();
      for (Field f : spineSchema.fields()) {
        full.add(absent.contains(f.name())
            ? functions.lit(null).cast(SparkValues.internalType(f.type())).as(f.name()) : functions.col(f.name()));
      }
      spineEvents = spineEvents.select(full.toArray(Column[]::new));
    }
    Dataset<Row> spine = spineEvents
        .withColumn(ID, functions.monotonically_increasing_id());
    StructType spineStruct = spine.schema();
    for (String e : entities) {
      spineStruct = spineStruct.add("_k_" + e, DataTypes.StringType, true);
    }
    DataType labelType = ts.label() == null ? DataType.BOOLEAN : ts.label().type();
    spineStruct = spineStruct.add("label", SparkValues.internalType(labelType), true);
    spine = spine.mapPartitions(new SpineKeys(ctx.planRef(), name, entities), Encoders.row(spineStruct))
        .persist(StorageLevel.MEMORY_AND_DISK());

    Dataset<Row> joined = withFeatures(service, spine, functions.col(ts.timestamp()));
    Dataset<Row> out = finish(joined, name, service, spineSchema, labelType);
    return absent.isEmpty() ? out : out.drop(absent.toArray(String[]::new));
  }

  /**
   * The columns of a source spine's schema that a {@code --spine} file lacks, when it has every
   * column the spine's keys and time read: those it lacks are NULL while the spine is evaluated
   * (a label reading one is NULL, and the progress says so) and are not in the output. A CSV or
   * Parquet file is asked for its columns; JSON lines already read an absent field as NULL.
   */
  private List<String> absentSpineColumns(CompiledTrainingSet ts, String file) {
    String what = "the spine of training set '" + ts.name() + "'";
    java.util.Optional<List<String>> has = ctx.reader().columnsOf(what, file);
    if (has.isEmpty()) {
      return List.of();
    }
    java.util.Set<String> present = new java.util.HashSet<>();
    has.get().forEach(c -> present.add(c.toLowerCase(Locale.ROOT)));
    java.util.Set<String> needed = new java.util.LinkedHashSet<>();
    needed.add(ts.timestamp());
    ts.keys().values().forEach(exprs -> exprs.forEach(x -> needed.addAll(x.columns())));
    List<String> missingNeeded = needed.stream().filter(c -> !present.contains(c.toLowerCase(Locale.ROOT))).toList();
    if (!missingNeeded.isEmpty()) {
      throw new JobException(String.format(Locale.ROOT, "Cannot read %s: %s lacks column(s) %s, which the spine's keys and time "
          + "read (it has %s).", what, file, String.join(", ", missingNeeded), String.join(", ", has.get())));
    }
    List<String> absent = ts.spineSchema().names().stream()
        .filter(c -> !present.contains(c.toLowerCase(Locale.ROOT))).toList();
    if (!absent.isEmpty()) {
      List<String> labelReads = ts.label() == null ? List.of()
          : ts.label().columns().stream().filter(absent::contains).toList();
      ctx.progress().say("spine: " + file + " has no column(s) " + String.join(", ", absent) + " of source '"
          + ts.spineSource() + "'; they are left out of the training set"
          + (labelReads.isEmpty() ? "" : ", and the label, which reads " + String.join(", ", labelReads) + ", is NULL"));
    }
    return absent;
  }

  /** The rows of a spine file in the spine's columns (less {@code absent} ones); every row must fit. */
  private SourceReader.Result readSpineFile(CompiledTrainingSet ts, String file, List<String> absent) {
    String what = "the spine of training set '" + ts.name() + "'";
    Schema schema = ts.spineSchema();
    if (!absent.isEmpty()) {
      schema = Schema.of(schema.fields().stream().filter(f -> !absent.contains(f.name())).toList());
    }
    SourceReader.Result r = ctx.reader().readPath(what, "spine-" + ts.name(), schema, ts.timestamp(), file, null);
    if (r.rejected() > 0) {
      String first = ctx.spark().read().json(r.rejectsPath()).select("reason").first().getString(0);
      throw new JobException(String.format(Locale.ROOT, "Cannot build training set '%s': %,d of %,d rows of spine %s do not fit (first: %s;"
          + " every row and reason in %s).", ts.name(), r.rejected(), r.rows() + r.rejected(), file, first, r.rejectsPath()));
    }
    return r;
  }

  /**
   * Adds to {@code spine} the service's group features as of each row's {@code time} (internal
   * values, columns {@code <group>__<feature>}); the spine needs {@code _id} (unique) and an
   * encoded key column {@code _k_<entity>} per entity of the service. The skew job passes
   * logged served rows here, so online/offline skew is judged by the training sets' semantics.
   */
  Dataset<Row> withFeatures(CompiledService service, Dataset<Row> spine, Column time) {
    CompiledPlan plan = ctx.plan();
    Dataset<Row> joined = spine;
    for (String groupName : service.groups()) {
      CompiledGroup g = plan.group(groupName).orElseThrow();
      CompiledSource src = plan.source(g.source()).orElseThrow();
      Dataset<Row> events = ctx.read(src).events();
      List<String> wanted = service.features().stream().filter(f -> f.group().equals(groupName))
          .map(ServiceFeature::feature).toList();
      Dataset<Row> values = groupValues(g, src, events,
          spine.select(functions.col("_k_" + g.entity()).as(KEY), time.as(TIME), functions.col(ID)), wanted);
      joined = joined.join(values, joined.col(ID).equalTo(values.col(ID + "_" + groupName)), "left")
          .drop(ID + "_" + groupName);
    }
    return joined;
  }

  /**
   * The values of {@code wanted} features of group {@code g} for each spine item (key, time,
   * id): columns {@code _id_<group>} then the features (internal types).
   */
  private Dataset<Row> groupValues(CompiledGroup g, CompiledSource src, Dataset<Row> events, Dataset<Row> spineItems,
      List<String> wanted) {
    Schema schema = src.schema();
    StructType items = new StructType()
        .add(KEY, DataTypes.StringType, true)
        .add(TIME, DataTypes.LongType, false)
        .add(KIND, DataTypes.IntegerType, false)
        .add(ID, DataTypes.LongType, true);
    for (StructField f : SparkValues.internalSchema(schema).fields()) {
      items = items.add(f.name(), f.dataType(), true);
    }
    Dataset<Row> keyed = events.mapPartitions(new KeyEvents(ctx.planRef(), g.name()), Encoders.row(items));
    List<Column> spineCols = new ArrayList<>(List.of(functions.col(KEY), functions.col(TIME),
        functions.lit(SPINE).as(KIND), functions.col(ID)));
    for (StructField f : SparkValues.internalSchema(schema).fields()) {
      spineCols.add(functions.lit(null).cast(f.dataType()).as(f.name()));
    }
    Dataset<Row> all = keyed.unionByName(spineItems.select(spineCols.toArray(Column[]::new)));
    StructType out = new StructType().add(ID + "_" + g.name(), DataTypes.LongType, false);
    for (String f : wanted) {
      CompiledFeature feature = g.feature(f).orElseThrow();
      out = out.add(columnName(feature.qualifiedName()), SparkValues.internalType(feature.type()), true);
    }
    return all.repartition(ctx.partitions(), functions.col(KEY))
        .sortWithinPartitions(KEY, TIME, KIND)
        .mapPartitions(new Sweep(ctx.planRef(), g.name(), wanted), Encoders.row(out));
  }

  /** Label, then service features as output values, then derived features. */
  private Dataset<Row> finish(Dataset<Row> joined, String trainingSet, CompiledService service, Schema spineSchema,
      DataType labelType) {
    StructType out = new StructType();
    for (var f : spineSchema.fields()) {
      out = out.add(f.name(), SparkValues.outputType(f.type()), true);
    }
    out = out.add("label", SparkValues.outputType(labelType), true);
    for (ServiceFeature f : service.features()) {
      out = out.add(columnName(f.qualifiedName()), SparkValues.outputType(f.type()), true);
    }
    for (CompiledDerived d : service.derived()) {
      out = out.add(d.name(), SparkValues.outputType(d.type()), true);
    }
    List<Column> cols = new ArrayList<>();
    spineSchema.names().forEach(n -> cols.add(functions.col(n)));
    cols.add(functions.col("label"));
    service.features().forEach(f -> cols.add(functions.col(columnName(f.qualifiedName()))));
    return joined.select(cols.toArray(Column[]::new))
        .mapPartitions(new Finish(ctx.planRef(), trainingSet, spineSchema.size(), labelType), Encoders.row(out));
  }

  /** Adds the encoded entity keys and the label to each spine row. */
  private static final class SpineKeys implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final String trainingSet;
    private final List<String> entities;

    SpineKeys(ProjectSnapshot ref, String trainingSet, List<String> entities) {
      this.ref = ref;
      this.trainingSet = trainingSet;
      this.entities = entities;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      CompiledPlan plan = ref.plan();
      CompiledTrainingSet ts = plan.trainingSet(trainingSet).orElseThrow();
      Schema schema = ts.spineSchema();
      List<List<BoundExpression>> keys = new ArrayList<>();
      for (String e : entities) {
        List<BoundExpression> parts = new ArrayList<>();
        for (TypedExpr x : ts.keys().get(e)) {
          parts.add(BoundExpression.bind(x, schema));
        }
        keys.add(parts);
      }
      BoundExpression label = ts.label() == null ? null : BoundExpression.bind(ts.label(), schema);
      return map(input, r -> {
        Object[] row = rowValues(r, schema.size());
        Object[] out = new Object[r.size() + keys.size() + 1];
        for (int i = 0; i < r.size(); i++) {
          out[i] = r.get(i);
        }
        for (int e = 0; e < keys.size(); e++) {
          List<Object> key = new ArrayList<>();
          for (BoundExpression x : keys.get(e)) {
            key.add(x.eval(row));
          }
          out[r.size() + e] = Keys.encode(key);
        }
        out[out.length - 1] = label == null ? null : SparkValues.toInternal(label.type(), label.eval(row));
        return RowFactory.create(out);
      });
    }
  }

  /** Keys each event with GroupTiler.keyOf; events of no key (NULL key, filter not TRUE) are left out. */
  private static final class KeyEvents implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final String group;

    KeyEvents(ProjectSnapshot ref, String group) {
      this.ref = ref;
      this.group = group;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      GroupTiler tiler = GroupTiler.of(ref.plan(), group);
      int n = tiler.schema().size();
      return filterMap(input, r -> {
        Object[] row = rowValues(r, n);
        List<Object> key = tiler.keyOf(row);
        if (key == null) {
          return null;
        }
        Object[] out = new Object[4 + n];
        out[0] = Keys.encode(key);
        out[1] = tiler.eventTime(row);
        out[2] = EVENT;
        out[3] = null;
        System.arraycopy(row, 0, out, 4, n);
        return RowFactory.create(out);
      });
    }
  }

  /** The per-key sweep over items sorted by (key, time, kind). */
  private static final class Sweep implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final String group;
    private final List<String> wanted;

    Sweep(ProjectSnapshot ref, String group, List<String> wanted) {
      this.ref = ref;
      this.group = group;
      this.wanted = wanted;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      GroupTiler tiler = GroupTiler.of(ref.plan(), group);
      CompiledGroup g = tiler.group();
      int[] index = new int[wanted.size()];
      DataType[] types = new DataType[wanted.size()];
      for (int i = 0; i < index.length; i++) {
        CompiledFeature f = g.feature(wanted.get(i)).orElseThrow();
        index[i] = g.features().indexOf(f);
        types[i] = f.type();
      }
      KeySweep sweep = new KeySweep(tiler, true);
      int n = tiler.schema().size();
      String[] current = {null};
      boolean[] started = {false};
      return filterMap(input, r -> {
        String key = r.getString(0);
        if (!started[0] || !Objects.equals(key, current[0])) {
          sweep.reset();
          current[0] = key;
          started[0] = true;
        }
        long t = r.getLong(1);
        if (r.getInt(2) == EVENT) {
          Object[] row = new Object[n];
          for (int i = 0; i < n; i++) {
            row[i] = r.get(4 + i);
          }
          sweep.add(row, null);
          return null;
        }
        Object[] values = sweep.valuesAsOf(t);
        Object[] out = new Object[1 + index.length];
        out[0] = r.getLong(3);
        for (int i = 0; i < index.length; i++) {
          out[1 + i] = SparkValues.toInternal(types[i], values[index[i]]);
        }
        return RowFactory.create(out);
      });
    }
  }

  /** Converts to output values and evaluates derived features over the service's row. */
  private static final class Finish implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final String trainingSet;
    private final int spineColumns;
    private final DataType labelType;

    Finish(ProjectSnapshot ref, String trainingSet, int spineColumns, DataType labelType) {
      this.ref = ref;
      this.trainingSet = trainingSet;
      this.spineColumns = spineColumns;
      this.labelType = labelType;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      CompiledPlan plan = ref.plan();
      CompiledTrainingSet ts = plan.trainingSet(trainingSet).orElseThrow();
      CompiledService service = plan.service(ts.service()).orElseThrow();
      Schema spineSchema = ts.spineSchema();
      // Derived features are bound to the evaluation schema: the service's output, then its request
      // inputs, each taken from the spine column of the same name (what the request will carry online).
      Schema serviceSchema = service.evaluationSchema();
      List<BoundExpression> derived = service.derived().stream().map(d -> BoundExpression.bind(d.expr(), serviceSchema)).toList();
      int features = service.features().size();
      List<Field> request = service.request();
      int[] requestColumns = request.stream().mapToInt(f -> spineSchema.indexOf(f.name())).toArray();
      int requestSlot = service.schema().size();
      return map(input, r -> {
        Object[] out = new Object[spineColumns + 1 + features + derived.size()];
        for (int i = 0; i < spineColumns; i++) {
          out[i] = SparkValues.toOutput(spineSchema.field(i).type(), r.get(i));
        }
        out[spineColumns] = SparkValues.toOutput(labelType, SparkValues.fromInternal(labelType, r.get(spineColumns)));
        Object[] values = new Object[serviceSchema.size()];
        for (int f = 0; f < features; f++) {
          DataType type = service.features().get(f).type();
          values[f] = SparkValues.fromInternal(type, r.get(spineColumns + 1 + f));
          out[spineColumns + 1 + f] = SparkValues.toOutput(type, values[f]);
        }
        for (int q = 0; q < requestColumns.length; q++) {
          Object spineValue = SparkValues.fromInternal(spineSchema.field(requestColumns[q]).type(), r.get(requestColumns[q]));
          values[requestSlot + q] = TypedValues.fromObject(spineValue, request.get(q).type()); // bigint widens to double
        }
        for (int d = 0; d < derived.size(); d++) {
          CompiledDerived cd = service.derived().get(d);
          Object v = derived.get(d).eval(values);
          values[serviceSchema.indexOf(cd.name())] = v;
          out[spineColumns + 1 + features + d] = SparkValues.toOutput(cd.type(), v);
        }
        return RowFactory.create(out);
      });
    }
  }

  static Object[] rowValues(Row r, int n) {
    Object[] row = new Object[n];
    for (int i = 0; i < n; i++) {
      row[i] = r.get(i);
    }
    return row;
  }

  interface RowFn {
    Row apply(Row r);
  }

  static Iterator<Row> map(Iterator<Row> in, RowFn fn) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return in.hasNext();
      }

      @Override
      public Row next() {
        return fn.apply(in.next());
      }
    };
  }

  /** Like map, dropping rows for which fn gives null. */
  static Iterator<Row> filterMap(Iterator<Row> in, RowFn fn) {
    return new Iterator<>() {
      private Row next;

      @Override
      public boolean hasNext() {
        while (next == null && in.hasNext()) {
          next = fn.apply(in.next());
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row r = next;
        next = null;
        return r;
      }
    };
  }
}
