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
  /** Column of an event's groups in its key class, one bit per group. */
  static final String MASK = "_mask";
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
    // Read once: the spine rows travel through the sweeps (withFeatures), nothing joins back to them.
    spine = spine.mapPartitions(new SpineKeys(ctx.planRef(), name, entities), Encoders.row(spineStruct));

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
   *
   * <p>The groups that read the same source with the same key (origin_delays and origin_late,
   * say) form one {@linkplain KeyClass key class} and are swept together: one shuffle and one
   * sort of events and spine rows per key class, not per group. The spine rows travel whole
   * through the sweeps, each appending its class's features, so nothing is joined back to the
   * spine: every spine row comes out of every sweep exactly once.
   */
  Dataset<Row> withFeatures(CompiledService service, Dataset<Row> spine, Column time) {
    CompiledPlan plan = ctx.plan();
    Dataset<Row> carried = spine;
    for (KeyClass c : KeyClass.of(plan, service)) {
      carried = classValues(c, carried, time);
    }
    return carried;
  }

  /**
   * Groups of a service that read the same source with the same key expressions (for the same
   * entity, hence the same spine key): one sweep serves them all. Filters may differ: an event
   * carries a mask of the groups it belongs to.
   */
  record KeyClass(String entity, String source, List<String> groups, List<List<String>> wanted) {
    /** The most groups of one class: the bits of an int mask. */
    static final int MAX_GROUPS = 31;

    static List<KeyClass> of(CompiledPlan plan, CompiledService service) {
      java.util.Map<List<Object>, KeyClass> classes = new java.util.LinkedHashMap<>();
      for (String groupName : service.groups()) {
        CompiledGroup g = plan.group(groupName).orElseThrow();
        List<Object> id = new ArrayList<>(List.of(g.entity(), g.source()));
        g.keys().forEach(k -> id.add(List.of(k.name(), k.type(), k.expr())));
        KeyClass c = classes.get(id);
        if (c == null || c.groups().size() == MAX_GROUPS) {
          if (c != null) {
            classes.put(List.of(c), c); // full (the mask has one bit per group): a new class takes the next groups
          }
          c = new KeyClass(g.entity(), g.source(), new ArrayList<>(), new ArrayList<>());
          classes.put(id, c);
        }
        c.groups().add(groupName);
        c.wanted().add(service.features().stream().filter(f -> f.group().equals(groupName)).map(ServiceFeature::feature).toList());
      }
      return List.copyOf(classes.values());
    }
  }

  /**
   * {@code carried} with the wanted features of the groups of class {@code c} appended (internal
   * types, in the class's group order): events of the class's source keyed once, unioned with
   * the carried rows (keyed by the class's entity), spread by key, sorted by (key, time, spine
   * before event) and swept by {@link ClassSweep}.
   */
  private Dataset<Row> classValues(KeyClass c, Dataset<Row> carried, Column time) {
    CompiledPlan plan = ctx.plan();
    CompiledSource src = plan.source(c.source()).orElseThrow();
    Schema schema = src.schema();
    StructType sourceStruct = SparkValues.internalSchema(schema);
    StructType carriedStruct = carried.schema();
    // Items: key, time, kind, group mask, then the event's source columns, then the carried row's (by position: names may clash).
    StructType items = new StructType()
        .add(KEY, DataTypes.StringType, true)
        .add(TIME, DataTypes.LongType, false)
        .add(KIND, DataTypes.IntegerType, false)
        .add(MASK, DataTypes.IntegerType, false);
    for (int i = 0; i < sourceStruct.size(); i++) {
      items = items.add("_e" + i, sourceStruct.fields()[i].dataType(), true);
    }
    for (int i = 0; i < carriedStruct.size(); i++) {
      items = items.add("_c" + i, carriedStruct.fields()[i].dataType(), true);
    }
    Dataset<Row> events = ctx.read(src).events()
        .mapPartitions(new KeyEvents(ctx.planRef(), c.groups(), carriedStruct.size()), Encoders.row(items));
    List<Column> spineCols = new ArrayList<>(List.of(functions.col("_k_" + c.entity()).as(KEY), time.as(TIME),
        functions.lit(SPINE).as(KIND), functions.lit(0).as(MASK)));
    for (int i = 0; i < sourceStruct.size(); i++) {
      spineCols.add(functions.lit(null).cast(sourceStruct.fields()[i].dataType()).as("_e" + i));
    }
    for (int i = 0; i < carriedStruct.size(); i++) {
      spineCols.add(functions.col(carriedStruct.fields()[i].name()).as("_c" + i));
    }
    Dataset<Row> all = events.union(carried.select(spineCols.toArray(Column[]::new)));
    StructType out = carriedStruct;
    for (int gi = 0; gi < c.groups().size(); gi++) {
      CompiledGroup g = plan.group(c.groups().get(gi)).orElseThrow();
      for (String f : c.wanted().get(gi)) {
        CompiledFeature feature = g.feature(f).orElseThrow();
        out = out.add(columnName(feature.qualifiedName()), SparkValues.internalType(feature.type()), true);
      }
    }
    return all.repartition(ctx.partitions(), functions.col(KEY))
        .sortWithinPartitions(KEY, TIME, KIND)
        .mapPartitions(new ClassSweep(ctx.planRef(), c.groups(), c.wanted(), sourceStruct.size(), carriedStruct.size()),
            Encoders.row(out));
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

  /**
   * Keys each event with GroupTiler.keyOf for each group of a key class, with the mask of the
   * groups it belongs to; events of no group (NULL key, no filter TRUE) are left out. The groups
   * of a class share their key expressions, so a key found by one is the key of all.
   */
  private static final class KeyEvents implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final List<String> groups;
    private final int carried;

    KeyEvents(ProjectSnapshot ref, List<String> groups, int carried) {
      this.ref = ref;
      this.groups = groups;
      this.carried = carried;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      CompiledPlan plan = ref.plan();
      GroupTiler[] tilers = groups.stream().map(g -> GroupTiler.of(plan, g)).toArray(GroupTiler[]::new);
      int n = tilers[0].schema().size();
      return filterMap(input, r -> {
        Object[] row = rowValues(r, n);
        List<Object> key = null;
        int mask = 0;
        for (int g = 0; g < tilers.length; g++) {
          List<Object> k = tilers[g].keyOf(row);
          if (k != null) {
            key = k;
            mask |= 1 << g;
          }
        }
        if (key == null) {
          return null;
        }
        Object[] out = new Object[4 + n + carried];
        out[0] = Keys.encode(key);
        out[1] = tilers[0].eventTime(row);
        out[2] = EVENT;
        out[3] = mask;
        System.arraycopy(row, 0, out, 4, n);
        return RowFactory.create(out);
      });
    }
  }

  /**
   * The per-key sweep of a key class over items sorted by (key, time, kind): one {@link KeySweep}
   * per group; each carried (spine) row comes out once, with the class's features appended.
   */
  private static final class ClassSweep implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final List<String> groups;
    private final List<List<String>> wanted;
    private final int sourceColumns;
    private final int carried;

    ClassSweep(ProjectSnapshot ref, List<String> groups, List<List<String>> wanted, int sourceColumns, int carried) {
      this.ref = ref;
      this.groups = groups;
      this.wanted = wanted;
      this.sourceColumns = sourceColumns;
      this.carried = carried;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      CompiledPlan plan = ref.plan();
      int groupCount = groups.size();
      KeySweep[] sweeps = new KeySweep[groupCount];
      int[][] index = new int[groupCount][];
      DataType[][] types = new DataType[groupCount][];
      int features = 0;
      for (int g = 0; g < groupCount; g++) {
        GroupTiler tiler = GroupTiler.of(plan, groups.get(g));
        sweeps[g] = new KeySweep(tiler, true);
        List<String> w = wanted.get(g);
        index[g] = new int[w.size()];
        types[g] = new DataType[w.size()];
        for (int i = 0; i < w.size(); i++) {
          CompiledFeature f = tiler.group().feature(w.get(i)).orElseThrow();
          index[g][i] = tiler.group().features().indexOf(f);
          types[g][i] = f.type();
        }
        features += w.size();
      }
      int n = sourceColumns;
      int width = carried + features;
      String[] current = {null};
      boolean[] started = {false};
      return filterMap(input, r -> {
        String key = r.getString(0);
        if (!started[0] || !Objects.equals(key, current[0])) {
          for (KeySweep s : sweeps) {
            s.reset();
          }
          current[0] = key;
          started[0] = true;
        }
        long t = r.getLong(1);
        if (r.getInt(2) == EVENT) {
          int mask = r.getInt(3);
          Object[] row = new Object[n];
          for (int i = 0; i < n; i++) {
            row[i] = r.get(4 + i);
          }
          for (int g = 0; g < groupCount; g++) {
            if ((mask & (1 << g)) != 0) {
              sweeps[g].add(row, null);
            }
          }
          return null;
        }
        Object[] out = new Object[width];
        for (int i = 0; i < carried; i++) {
          out[i] = r.get(4 + n + i);
        }
        int o = carried;
        for (int g = 0; g < groupCount; g++) {
          Object[] values = sweeps[g].valuesAsOf(t);
          for (int i = 0; i < index[g].length; i++) {
            out[o++] = SparkValues.toInternal(types[g][i], values[index[g][i]]);
          }
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
