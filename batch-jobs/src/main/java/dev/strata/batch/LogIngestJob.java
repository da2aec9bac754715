package dev.strata.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Loads the feature server's JSON-lines logs into Iceberg: served vectors
 * ({@code <dir>/features/date=YYYY-MM-DD/*.jsonl}, one object per served entity row) into
 * {@code <ns>.served_features}, predictions and later labels
 * ({@code <dir>/predictions/date=YYYY-MM-DD/*.jsonl}) into {@code <ns>.prediction_log}, with each
 * prediction's label the latest one (by label time) for its (model, request_id).
 *
 * <p>Idempotent twice over: files already listed in {@code <ns>.log_files} (by their path
 * relative to the log folder) are skipped, and every write is a MERGE on the row's identity —
 * served rows by (service, request_id, entities, served_at), predictions by (model,
 * request_id), labels by (model, request_id, time, label) — so a file ingested again under
 * another name, or after a crash between the data commit and the file list's, adds nothing.
 * Malformed lines are counted and skipped, never stop the job.
 */
public final class LogIngestJob {
  public static final String SERVED_TABLE = "served_features";
  public static final String PREDICTION_TABLE = "prediction_log";
  public static final String LABEL_TABLE = "prediction_labels";
  public static final String FILES_TABLE = "log_files";

  /** Every parsed line, whatever its kind; {@code error} set for a malformed one. */
  static final StructType PARSED = new StructType()
      .add("kind", DataTypes.StringType, true)
      .add("name", DataTypes.StringType, true)
      .add("request_id", DataTypes.StringType, true)
      .add("time", DataTypes.TimestampType, true)
      .add("entity_key", DataTypes.StringType, true)
      .add("entities", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
      .add("features", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
      .add("statuses", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
      .add("value", DataTypes.DoubleType, true)
      .add("value_text", DataTypes.StringType, true)
      .add("label", DataTypes.DoubleType, true)
      .add("label_text", DataTypes.StringType, true)
      .add("source_file", DataTypes.StringType, true)
      .add("error", DataTypes.StringType, true);

  private final JobContext ctx;

  public LogIngestJob(JobContext ctx) {
    this.ctx = ctx;
  }

  /** What one run loaded. */
  public record Result(int files, int skippedFiles, long servedRows, long predictions, long labels, long malformed,
      String firstProblem) {}

  public Result run(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new JobException("Cannot ingest logs from " + root + ": no such folder.");
    }
    if (!Files.isDirectory(root.resolve("features")) && !Files.isDirectory(root.resolve("predictions"))) {
      throw new JobException("Cannot ingest logs from " + root + ": it holds neither features/ nor predictions/.");
    }
    Map<String, Path> listed = new TreeMap<>();
    listed.putAll(list(root, "features"));
    listed.putAll(list(root, "predictions"));
    Set<String> done = ingestedFiles();
    List<String> fresh = listed.keySet().stream().filter(f -> !done.contains(f)).toList();
    int skipped = listed.size() - fresh.size();
    if (fresh.isEmpty()) {
      ctx.progress().say(String.format(Locale.ROOT, "log ingest %s: nothing new (%d file(s) already ingested)", root, skipped));
      return new Result(0, skipped, 0, 0, 0, 0, null);
    }
    String[] paths = fresh.stream().map(f -> listed.get(f).toString()).toArray(String[]::new);
    Dataset<Row> parsed = ctx.spark().read().text(paths)
        .select(functions.col("value").as("line"), functions.input_file_name().as("file"))
        .mapPartitions(new ParseLines(), Encoders.row(PARSED))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row bad = parsed.where(functions.col("error").isNotNull())
          .agg(functions.count(functions.lit(1)), functions.first(functions.concat_ws(": ", functions.col("source_file"),
              functions.col("error")))).first();
      long malformed = bad.getLong(0);
      Dataset<Row> good = parsed.where(functions.col("error").isNull());
      long served = mergeServed(good.where(functions.col("kind").equalTo("features")));
      Dataset<Row> preds = good.where(functions.col("kind").equalTo("prediction"));
      Dataset<Row> labels = good.where(functions.col("kind").equalTo("label"));
      long predictions = mergePredictions(preds);
      long labelCount = mergeLabels(labels, preds);
      recordFiles(parsed, fresh);
      String first = malformed == 0 ? null : bad.getString(1);
      ctx.progress().say(String.format(Locale.ROOT,
          "log ingest %s: %d new file(s) (%d skipped): %,d served rows -> %s, %,d predictions and %,d labels -> %s%s",
          root, fresh.size(), skipped, served, ctx.table(SERVED_TABLE), predictions, labelCount, ctx.table(PREDICTION_TABLE),
          malformed == 0 ? "" : String.format(Locale.ROOT, "; %,d malformed line(s) skipped (first: %s)", malformed, first)));
      return new Result(fresh.size(), skipped, served, predictions, labelCount, malformed, first);
    } finally {
      parsed.unpersist();
    }
  }

  /** {@code <kind>/date=…/*.jsonl} under root, by path relative to root ("/"-separated). */
  private static Map<String, Path> list(Path root, String kind) {
    Map<String, Path> out = new TreeMap<>();
    Path base = root.resolve(kind);
    if (!Files.isDirectory(base)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(base)) {
      s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jsonl"))
          .filter(p -> p.getParent().getFileName().toString().startsWith("date="))
          .forEach(p -> out.put(root.relativize(p).toString().replace('\\', '/'), p));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private Set<String> ingestedFiles() {
    String table = ctx.table(FILES_TABLE);
    Set<String> out = new HashSet<>();
    if (ctx.spark().catalog().tableExists(table)) {
      ctx.spark().table(table).select("file").collectAsList().forEach(r -> out.add(r.getString(0)));
    }
    return out;
  }

  private void recordFiles(Dataset<Row> parsed, List<String> fresh) {
    Map<String, Long> lines = new LinkedHashMap<>();
    fresh.forEach(f -> lines.put(f, 0L));
    parsed.groupBy("source_file").count().collectAsList().forEach(r -> lines.computeIfPresent(r.getString(0), (k, v) -> r.getLong(1)));
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<Row> rows = new ArrayList<>();
    lines.forEach((f, n) -> rows.add(RowFactory.create(f, f.substring(0, f.indexOf('/')), n, now)));
    StructType schema = new StructType()
        .add("file", DataTypes.StringType, false)
        .add("kind", DataTypes.StringType, false)
        .add("lines", DataTypes.LongType, false)
        .add("ingested_at", DataTypes.TimestampType, false);
    Dataset<Row> data = ctx.spark().createDataFrame(rows, schema).coalesce(1);
    String table = ctx.table(FILES_TABLE);
    try {
      if (ctx.spark().catalog().tableExists(table)) {
        data.writeTo(table).append();
      } else {
        data.writeTo(table).tableProperty("format-version", "2").create();
      }
    } catch (Exception e) {
      throw new JobException("Cannot write " + table + ": " + StrataSpark.firstLine(e) + ".", e);
    }
  }

  private long mergeServed(Dataset<Row> rows) {
    Dataset<Row> data = rows.select(functions.col("name").as("service"), functions.col("request_id"),
            functions.col("time").as("served_at"), functions.col("entity_key"), functions.col("entities"),
            functions.col("features"), functions.col("statuses"), functions.col("source_file"))
        .dropDuplicates("service", "request_id", "entity_key", "served_at");
    return merge(SERVED_TABLE, data, "served_at",
        "t.service = s.service AND t.request_id = s.request_id AND t.entity_key = s.entity_key AND t.served_at = s.served_at",
        "WHEN NOT MATCHED THEN INSERT *");
  }

  private long mergePredictions(Dataset<Row> rows) {
    Dataset<Row> data = rows.select(functions.col("name").as("model"), functions.col("request_id"), functions.col("time"),
            functions.col("entity_key"), functions.col("entities"), functions.col("value").as("prediction"),
            functions.col("value_text").as("prediction_text"), functions.col("label"), functions.col("label_text"),
            functions.col("time").as("labeled_at"), functions.col("source_file"))
        // a label logged with the prediction counts as one that arrived at the prediction's time
        .withColumn("labeled_at", functions.when(functions.col("label").isNotNull().or(functions.col("label_text").isNotNull()),
            functions.col("labeled_at")))
        .dropDuplicates("model", "request_id");
    return merge(PREDICTION_TABLE, data, "time", "t.model = s.model AND t.request_id = s.request_id",
        "WHEN NOT MATCHED THEN INSERT *");
  }

  /**
   * Records the new labels, then sets each affected prediction's label to the latest one of its
   * (model, request_id): affected are those with a new label or new predictions (whose label may
   * have arrived before them).
   */
  private long mergeLabels(Dataset<Row> labels, Dataset<Row> newPredictions) {
    Dataset<Row> data = labels.select(functions.col("name").as("model"), functions.col("request_id"), functions.col("time"),
            functions.col("label"), functions.col("label_text"), functions.col("source_file"))
        .dropDuplicates("model", "request_id", "time", "label", "label_text");
    long n = merge(LABEL_TABLE, data, null,
        "t.model = s.model AND t.request_id = s.request_id AND t.time = s.time"
            + " AND t.label <=> s.label AND t.label_text <=> s.label_text",
        "WHEN NOT MATCHED THEN INSERT *");
    String labelTable = ctx.table(LABEL_TABLE);
    if (!ctx.spark().catalog().tableExists(labelTable) || !ctx.spark().catalog().tableExists(ctx.table(PREDICTION_TABLE))) {
      return n;
    }
    // checkpointed: the parsed rows carry input_file_name(), which MERGE refuses in a join condition
    Dataset<Row> affected = data.select("model", "request_id")
        .union(newPredictions.select(functions.col("name").as("model"), functions.col("request_id"))).distinct()
        .localCheckpoint();
    String view = "_strata_affected_predictions";
    affected.createOrReplaceTempView(view);
    // the latest label of each affected prediction, in SQL: a view over an Iceberg table cannot be MERGE's source
    String latest = "(SELECT model, request_id, time, label, label_text FROM (SELECT l.*, row_number() OVER"
        + " (PARTITION BY l.model, l.request_id ORDER BY l.time DESC, l.source_file DESC) AS _rank FROM " + labelTable
        + " l LEFT SEMI JOIN " + view + " a ON l.model = a.model AND l.request_id = a.request_id) x WHERE _rank = 1)";
    try {
      if (affected.isEmpty()) {
        return n;
      }
      ctx.spark().sql("MERGE INTO " + ctx.table(PREDICTION_TABLE) + " t USING " + latest + " s"
          + " ON t.model = s.model AND t.request_id = s.request_id"
          + " WHEN MATCHED AND (t.labeled_at IS NULL OR t.labeled_at <= s.time)"
          + " AND NOT (t.labeled_at <=> s.time AND t.label <=> s.label AND t.label_text <=> s.label_text)"
          + " THEN UPDATE SET t.label = s.label, t.label_text = s.label_text, t.labeled_at = s.time");
    } catch (Exception e) {
      throw new JobException("Cannot write " + ctx.table(PREDICTION_TABLE) + ": " + StrataSpark.firstLine(e) + ".", e);
    } finally {
      ctx.spark().catalog().dropTempView(view);
    }
    return n;
  }

  /** MERGEs {@code data} into the table (created, partitioned by day of {@code dayColumn}, when missing); returns data's rows. */
  private long merge(String name, Dataset<Row> data, String dayColumn, String on, String actions) {
    long n = data.count();
    String table = ctx.table(name);
    try {
      if (!ctx.spark().catalog().tableExists(table)) {
        var w = data.limit(0).writeTo(table).tableProperty("format-version", "2");
        if (dayColumn != null) {
          w = w.partitionedBy(functions.days(functions.col(dayColumn)));
        }
        w.create();
      }
      if (n == 0) {
        return 0;
      }
      String view = "_strata_log_" + name;
      data.createOrReplaceTempView(view);
      try {
        ctx.spark().sql("MERGE INTO " + table + " t USING " + view + " s ON " + on + " " + actions);
      } finally {
        ctx.spark().catalog().dropTempView(view);
      }
    } catch (Exception e) {
      throw new JobException("Cannot write " + table + ": " + StrataSpark.firstLine(e) + ".", e);
    }
    return n;
  }

  /** Parses each JSON line into {@link #PARSED}; a line that does not fit the log format gets its reason. */
  static final class ParseLines implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      ObjectMapper mapper = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
      return TrainingSetJob.filterMap(input, r -> {
        String line = r.getString(0);
        if (line == null || line.isBlank()) {
          return null;
        }
        String file = relative(r.getString(1));
        try {
          return parse(mapper, mapper.readTree(line), file);
        } catch (IOException | IllegalArgumentException e) {
          String why = e instanceof IOException ? "not JSON" : e.getMessage();
          return RowFactory.create(null, null, null, null, null, null, null, null, null, null, null, null, file, why);
        }
      });
    }

    /** "features/date=…/x.jsonl" from Spark's file URI. */
    static String relative(String uri) {
      for (String kind : new String[] {"/features/", "/predictions/"}) {
        int i = uri.lastIndexOf(kind);
        if (i >= 0) {
          return uri.substring(i + 1);
        }
      }
      return uri;
    }

    private static Row parse(ObjectMapper mapper, JsonNode n, String file) throws IOException {
      String kind = text(n, "kind", true);
      String requestId = text(n, "request_id", true);
      switch (kind) {
        case "features": {
          Map<String, String> entities = jsonTexts(mapper, object(n, "entities", true));
          return RowFactory.create(kind, text(n, "service", true), requestId, micros(n, "served_at"),
              mapper.writeValueAsString(new TreeMap<>(entities)), scalaMap(entities),
              scalaMap(jsonTexts(mapper, object(n, "features", true))), scalaMap(texts(object(n, "statuses", false))),
              null, null, null, null, file, null);
        }
        case "prediction": {
          Map<String, String> entities = jsonTexts(mapper, object(n, "entities", false));
          JsonNode p = n.get("prediction");
          if (p == null || !(p.isNumber() || p.isTextual())) {
            throw new IllegalArgumentException("'prediction' must be a number or a string");
          }
          JsonNode l = n.get("label");
          return RowFactory.create(kind, text(n, "model", true), requestId, micros(n, "time"),
              mapper.writeValueAsString(new TreeMap<>(entities)), scalaMap(entities), null, null,
              number(p), textOf(p), number(l), textOf(l), file, null);
        }
        case "label": {
          JsonNode l = n.get("label");
          if (l == null || !(l.isNumber() || l.isTextual() || l.isNull())) {
            throw new IllegalArgumentException("'label' must be a number, a string or null");
          }
          return RowFactory.create(kind, text(n, "model", true), requestId, micros(n, "time"), null, null, null, null,
              null, null, number(l), textOf(l), file, null);
        }
        default:
          throw new IllegalArgumentException("unknown kind '" + kind + "' (expected features, prediction or label)");
      }
    }

    private static Double number(JsonNode v) {
      return v != null && v.isNumber() ? v.doubleValue() : null;
    }

    private static String textOf(JsonNode v) {
      return v != null && v.isTextual() ? v.textValue() : null;
    }

    private static String text(JsonNode n, String field, boolean required) {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        if (required) {
          throw new IllegalArgumentException("missing '" + field + "'");
        }
        return null;
      }
      if (!v.isTextual()) {
        throw new IllegalArgumentException("'" + field + "' must be a string");
      }
      return v.textValue();
    }

    private static JsonNode object(JsonNode n, String field, boolean required) {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        if (required) {
          throw new IllegalArgumentException("missing '" + field + "'");
        }
        return null;
      }
      if (!v.isObject()) {
        throw new IllegalArgumentException("'" + field + "' must be an object");
      }
      return v;
    }

    private static Instant micros(JsonNode n, String field) {
      JsonNode v = n.get(field);
      if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
        throw new IllegalArgumentException("'" + field + "' must be epoch microseconds");
      }
      long m = v.longValue();
      return Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1000L);
    }

    /** Field → the value's JSON text (so 1, 1.0 and "1" stay apart until typed by the plan). */
    private static Map<String, String> jsonTexts(ObjectMapper mapper, JsonNode obj) throws IOException {
      Map<String, String> out = new LinkedHashMap<>();
      if (obj != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          out.put(e.getKey(), mapper.writeValueAsString(e.getValue()));
        }
      }
      return out;
    }

    private static Map<String, String> texts(JsonNode obj) {
      Map<String, String> out = new LinkedHashMap<>();
      if (obj != null) {
        obj.properties().forEach(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString()));
      }
      return out;
    }

    private static Object scalaMap(Map<String, String> m) {
      return scala.jdk.javaapi.CollectionConverters.asScala(m);
    }
  }
}
