package dev.strata.batch;

import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Reads an event source with its declared schema enforced. Every row either fits (each column
 * converts to its declared type and the event time is present) or is a reject with the reason;
 * rejects are counted and written as JSON next to the warehouse, never dropped silently.
 */
public final class SourceReader {
  /** Column of the reason a row was rejected (null for rows that fit). */
  static final String REJECT = "_reject";
  /** Column of the raw row of a reject, as text. */
  static final String RAW = "_raw";

  /** The rows that fit, in the internal schema (timestamps as microseconds), and the rejects. */
  public record Result(Dataset<Row> events, long rows, long rejected, String rejectsPath) {}

  private final SparkSession spark;
  private final Path projectDir;
  private final String rejectsDir;
  private final String catalog;

  /** {@code rejectsDir}: a folder or a URI (object storage) where rejected rows are written. */
  public SourceReader(SparkSession spark, Path projectDir, String rejectsDir, String catalog) {
    this.spark = spark;
    this.projectDir = projectDir;
    this.rejectsDir = rejectsDir;
    this.catalog = catalog;
  }

  /** Reads the source's batch input (its path or table). */
  public Result read(CompiledSource source) {
    if (source.batch() == null) {
      throw new JobException("Cannot read source '" + source.name() + "': it declares no batch input (path or table).");
    }
    if (source.batch().table() != null) {
      Dataset<Row> raw;
      try {
        raw = spark.table(catalog + "." + source.batch().table());
      } catch (RuntimeException e) {
        throw new JobException("Cannot read source '" + source.name() + "': table " + source.batch().table()
            + " is not in the catalog.");
      }
      return enforce("source '" + source.name() + "'", source.name(), source.schema(), source.timestamp(), raw);
    }
    return readPath(source.name(), source.schema(), source.timestamp(), source.batch().path(), source.batch().format());
  }

  /** Reads a file or folder (CSV, Parquet, JSON by format or extension), relative to the project. */
  public Result readPath(String name, Schema schema, String timestamp, String path, String format) {
    return readPath("source '" + name + "'", name, schema, timestamp, path, format);
  }

  /**
   * Like {@link #readPath(String, Schema, String, String, String)}, for an input that is not a
   * source: messages say "Cannot read {@code what}", rejects go to {@code <rejects>/<name>}.
   */
  Result readPath(String what, String name, Schema schema, String timestamp, String path, String format) {
    Path file = projectDir.resolve(path).normalize();
    if (!Files.exists(file)) {
      throw new JobException("Cannot read " + what + ": " + file + " does not exist.");
    }
    String f = format != null ? format.toLowerCase(Locale.ROOT) : formatOf(file);
    Dataset<Row> raw = switch (f) {
      // Everything as text: the declared schema decides, and a bad cell becomes a reject.
      case "csv" -> spark.read().option("header", "true").option("inferSchema", "false").csv(file.toString());
      // A file holding one JSON array (not JSON lines) needs Spark's multi-line mode.
      case "json" -> spark.read().option("mode", "PERMISSIVE").option("multiLine", startsWithArray(file))
          .json(file.toString());
      case "parquet" -> spark.read().parquet(file.toString());
      default -> throw new JobException("Cannot read " + what + ": unknown format '" + f
          + "' (expected csv, parquet or json).");
    };
    return enforce(what, name, schema, timestamp, raw);
  }

  private static boolean startsWithArray(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (var in = Files.newBufferedReader(file)) {
      int c;
      do {
        c = in.read();
      } while (c >= 0 && Character.isWhitespace(c));
      return c == '[';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String formatOf(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
      return "csv";
    }
    if (n.endsWith(".json") || n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json.gz")) {
      return "json";
    }
    return "parquet";
  }

  private Result enforce(String what, String name, Schema schema, String timestamp, Dataset<Row> raw) {
    List<String> rawNames = Arrays.asList(raw.columns());
    int[] positions = new int[schema.size()];
    for (int i = 0; i < positions.length; i++) {
      String col = schema.field(i).name();
      positions[i] = indexIgnoreCase(rawNames, col);
      if (positions[i] < 0) {
        throw new JobException("Cannot read " + what + ": column '" + col + "' is missing from the input (it has "
            + String.join(", ", rawNames) + ").");
      }
    }
    StructType out = SparkValues.internalSchema(schema)
        .add(REJECT, DataTypes.StringType, true)
        .add(RAW, DataTypes.StringType, true);
    Converter converter = new Converter(schema, positions, schema.indexOf(timestamp));
    Dataset<Row> converted = raw.mapPartitions(converter, Encoders.row(out))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> rejects = converted.where(functions.col(REJECT).isNotNull());
    long rejected = rejects.count();
    long rows = converted.count();
    String rejectsPath = null;
    if (rejected > 0) {
      rejectsPath = rejectsDir + "/" + name;
      rejects.select(RAW, REJECT).withColumnRenamed(RAW, "row").withColumnRenamed(REJECT, "reason")
          .coalesce(1).write().mode("overwrite").json(rejectsPath);
    }
    Dataset<Row> events = converted.where(functions.col(REJECT).isNull()).select(
        schema.names().stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
    return new Result(events, rows - rejected, rejected, rejectsPath);
  }

  private static int indexIgnoreCase(List<String> names, String name) {
    int exact = names.indexOf(name);
    if (exact >= 0) {
      return exact;
    }
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Converts raw rows to the declared types; a row that does not fit carries its reason. */
  private static final class Converter implements MapPartitionsFunction<Row, Row>, Serializable {
    // Schema is not serializable; primitive DataTypes (enums) are.
    private final String[] names;
    private final DataType[] types;
    private final int[] positions;
    private final int timeIndex;

    Converter(Schema schema, int[] positions, int timeIndex) {
      this.names = schema.names().toArray(String[]::new);
      this.types = schema.fields().stream().map(Field::type).toArray(DataType[]::new);
      this.positions = positions;
      this.timeIndex = timeIndex;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return input.hasNext();
        }

        @Override
        public Row next() {
          return convert(input.next());
        }
      };
    }

    Row convert(Row raw) {
      int n = names.length;
      Object[] out = new Object[n + 2];
      String reason = null;
      for (int i = 0; i < n && reason == null; i++) {
        try {
          out[i] = SourceReader.convert(types[i], raw.get(positions[i]));
        } catch (RuntimeException e) {
          reason = "column " + names[i] + ": expected " + types[i].sqlName() + ", got '" + raw.get(positions[i]) + "'";
        }
      }
      if (reason == null && out[timeIndex] == null) {
        reason = "column " + names[timeIndex] + ": no event time";
      }
      if (reason != null) {
        Arrays.fill(out, 0, n, null);
        out[n] = reason;
        out[n + 1] = raw.toString();
      }
      return RowFactory.create(out);
    }
  }

  /** One cell in its declared type (timestamps as microseconds); throws when it does not fit. */
  static Object convert(DataType type, Object v) {
    if (v == null || (v instanceof String s && s.isEmpty())) {
      return null;
    }
    if (type == DataType.STRING) {
      if (v instanceof String) {
        return v;
      }
      throw new IllegalArgumentException("not a string");
    }
    if (type == DataType.LONG) {
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      if (v instanceof String s) {
        return Long.parseLong(s.trim());
      }
      if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
        return d.longValue();
      }
      throw new IllegalArgumentException("not an integer");
    }
    if (type == DataType.DOUBLE) {
      if (v instanceof Number n) {
        return n.doubleValue();
      }
      if (v instanceof String s) {
        return Double.parseDouble(s.trim());
      }
      throw new IllegalArgumentException("not a number");
    }
    if (type == DataType.BOOLEAN) {
      if (v instanceof Boolean) {
        return v;
      }
      if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
        return Boolean.valueOf(s);
      }
      throw new IllegalArgumentException("not a boolean");
    }
    if (type == DataType.TIMESTAMP) {
      // Timestamps without a zone (timestamp_ntz, text without offset) are UTC (DESIGN.md).
      if (v instanceof Instant i) {
        return SparkValues.micros(i);
      }
      if (v instanceof LocalDateTime l) {
        return SparkValues.micros(l.toInstant(ZoneOffset.UTC));
      }
      if (v instanceof java.sql.Timestamp ts) {
        return SparkValues.micros(ts.toInstant());
      }
      if (v instanceof LocalDate d) {
        return SparkValues.micros(d.atStartOfDay(ZoneOffset.UTC).toInstant());
      }
      if (v instanceof java.sql.Date d) {
        return SparkValues.micros(d.toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant());
      }
      if (v instanceof String s) {
        return Durations.parseInstant(s);
      }
      throw new IllegalArgumentException("not a timestamp");
    }
    throw new IllegalArgumentException("unsupported type " + type.sqlName());
  }
}
