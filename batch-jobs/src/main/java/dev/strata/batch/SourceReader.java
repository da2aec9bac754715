package dev.strata.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.EventFiles;
import dev.strata.dsl.io.RejectedRecordException;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.types.Schema;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
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
 * rejects are counted and written as JSON ({@code {"row", "reason"}}) next to the warehouse,
 * never dropped silently.
 *
 * <p>CSV and JSON files are read by feature-dsl's {@link EventFiles} inside the Spark tasks, not
 * by Spark's own readers: the rows and the rejects (with their reasons) are exactly those of the
 * file replay and the oracle. A large plain file is read in ranges sized as Spark sizes its file
 * splits ({@code spark.sql.files.maxPartitionBytes}, at most, and enough to keep every core
 * busy), one per task; when a range turns out not to end at a record
 * boundary (a quoted line break where the bytes suggested one), its file is read again whole.
 * Parquet files and tables are read by Spark, and their values decoded by the same {@link
 * EventDecoder}.
 */
public final class SourceReader {
  /** Column of the reason a row was rejected (null for rows that fit). */
  static final String REJECT = "_reject";
  /** Column of the raw row of a reject, as text. */
  static final String RAW = "_raw";
  /** Reasons starting with this are not rejects but messages from the tasks to the driver. */
  private static final String CONTROL = "\u0000";
  private static final String UNCLEAN = CONTROL + "unclean";
  private static final String FATAL = CONTROL + "fatal";

  /** The rows that fit, in the internal schema (timestamps as microseconds), and the rejects. */
  public record Result(Dataset<Row> events, long rows, long rejected, String rejectsPath) {}

  private final SparkSession spark;
  private final Path projectDir;
  private final String rejectsDir;
  private final String catalog;
  private long rangeBytes = -1;

  /** {@code rejectsDir}: a folder or a URI (object storage) where rejected rows are written. */
  public SourceReader(SparkSession spark, Path projectDir, String rejectsDir, String catalog) {
    this.spark = spark;
    this.projectDir = projectDir;
    this.rejectsDir = rejectsDir;
    this.catalog = catalog;
  }

  /** The size of the ranges large text files are read in (tests make it small). */
  SourceReader rangeBytes(long bytes) {
    this.rangeBytes = bytes;
    return this;
  }

  /**
   * What a source's batch input is now: its Iceberg table's current snapshot, or the manifest of
   * its files. {@link #read(CompiledSource, SourcePin)} reads exactly that later.
   */
  public SourcePin capture(CompiledSource source) {
    if (source.batch() == null) {
      throw new JobException("Cannot read source '" + source.name() + "': it declares no batch input (path or table).");
    }
    if (source.batch().table() != null) {
      String table = catalog + "." + source.batch().table();
      try {
        org.apache.iceberg.Table t = org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark, table);
        t.refresh();
        org.apache.iceberg.Snapshot snapshot = t.currentSnapshot();
        return SourcePin.table(source.name(), source.batch().table(), snapshot == null ? null : snapshot.snapshotId());
      } catch (Exception e) {
        throw new JobException("Cannot read source '" + source.name() + "': table " + source.batch().table()
            + " is not in the catalog.");
      }
    }
    Path file = projectDir.resolve(source.batch().path()).normalize();
    if (!Files.exists(file)) {
      throw new JobException("Cannot read source '" + source.name() + "': " + file + " does not exist.");
    }
    try {
      return SourcePin.files(source.name(), source.batch().path(), dev.strata.dsl.io.FileManifest.capture(file));
    } catch (java.io.UncheckedIOException e) {
      throw new JobException("Cannot read source '" + source.name() + "': " + e.getMessage() + ".");
    }
  }

  /**
   * Reads the source as {@code pin} recorded it: the table at its snapshot, or only the recorded
   * files, each up to its recorded length, after checking they still begin with what was recorded.
   */
  public Result read(CompiledSource source, SourcePin pin) {
    String what = "source '" + source.name() + "'";
    if (pin.manifest() == null) {
      if (pin.snapshotId() == null) {
        throw new JobException("Cannot read " + what + " as recorded: its table " + pin.table() + " was empty then.");
      }
      Dataset<Row> raw;
      try {
        raw = spark.read().option("snapshot-id", String.valueOf(pin.snapshotId())).table(catalog + "." + pin.table());
      } catch (RuntimeException e) {
        throw new JobException("Cannot read " + what + " as recorded: snapshot " + pin.snapshotId() + " of " + pin.table()
            + " is gone (" + StrataSpark.firstLine(e) + ").");
      }
      return enforce(what, source.name(), source.schema(), source.timestamp(), raw);
    }
    Path root = projectDir.resolve(pin.path()).normalize();
    try {
      pin.manifest().verify(root, what);
    } catch (IllegalArgumentException e) {
      throw new JobException(e.getMessage() + ".");
    }
    String f = source.batch() != null && source.batch().format() != null
        ? source.batch().format().toLowerCase(Locale.ROOT) : formatOf(root);
    java.util.Map<Path, Long> limits = new java.util.LinkedHashMap<>();
    for (dev.strata.dsl.io.FileManifest.Entry e : pin.manifest().files()) {
      limits.put(dev.strata.dsl.io.FileManifest.resolve(root, e), e.length());
    }
    return switch (f) {
      case "csv" -> readText(what, source.name(), source.schema(), source.timestamp(), root, EventFiles.Format.CSV, limits);
      case "json" -> readText(what, source.name(), source.schema(), source.timestamp(), root, EventFiles.Format.JSON, limits);
      case "parquet" -> {
        for (var e : limits.entrySet()) {
          if (sizeOf(e.getKey()) != e.getValue()) {
            throw new JobException("Cannot read " + what + " as recorded: " + e.getKey() + " changed (a Parquet file is never appended to).");
          }
        }
        yield enforce(what, source.name(), source.schema(), source.timestamp(),
            spark.read().parquet(limits.keySet().stream().map(Path::toString).toArray(String[]::new)));
      }
      default -> throw new JobException("Cannot read " + what + ": unknown format '" + f + "' (expected csv, parquet or json).");
    };
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      throw new JobException("Cannot read " + file + ": " + e.getMessage() + ".");
    }
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
    return switch (f) {
      case "csv" -> readText(what, name, schema, timestamp, file, EventFiles.Format.CSV);
      case "json" -> readText(what, name, schema, timestamp, file, EventFiles.Format.JSON);
      case "parquet" -> enforce(what, name, schema, timestamp, spark.read().parquet(file.toString()));
      default -> throw new JobException("Cannot read " + what + ": unknown format '" + f
          + "' (expected csv, parquet or json).");
    };
  }

  /**
   * The column names of a CSV file's header (its first file's, for a folder) or of a Parquet
   * file's schema; null for JSON lines, where any field may be absent from a record (read as
   * NULL) and there is no header to ask.
   */
  java.util.Optional<List<String>> columnsOf(String what, String path) {
    Path file = projectDir.resolve(path).normalize();
    if (!Files.exists(file)) {
      throw new JobException("Cannot read " + what + ": " + file + " does not exist.");
    }
    return switch (formatOf(file)) {
      case "csv" -> {
        List<Path> files = EventFiles.files(file);
        if (files.isEmpty()) {
          throw new JobException("Cannot read " + what + ": " + file + " holds no files.");
        }
        try {
          yield java.util.Optional.of(EventFiles.csvHeader(files.get(0)));
        } catch (IllegalArgumentException e) {
          String m = e.getMessage();
          throw new JobException("Cannot read " + what + ": " + (m.startsWith("Cannot read ") ? m.substring(12) : m)
              + (m.endsWith(".") ? "" : "."));
        }
      }
      case "parquet" -> java.util.Optional.of(Arrays.asList(spark.read().parquet(file.toString()).columns()));
      default -> java.util.Optional.empty();
    };
  }

  private static String formatOf(Path file) {
    EventFiles.Format f = EventFiles.Format.of(null, file.getFileName().toString());
    return f == null ? "parquet" : f.name().toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------ CSV and JSON

  /** A range of a file, read by one task. */
  private record Chunk(String file, EventFiles.Range range) implements Serializable {}

  private Result readText(String what, String name, Schema schema, String timestamp, Path path, EventFiles.Format format) {
    return readText(what, name, schema, timestamp, path, format, null);
  }

  /** {@code limits}, when not null: read only these files, each up to its length in bytes. */
  private Result readText(String what, String name, Schema schema, String timestamp, Path path, EventFiles.Format format,
                          java.util.Map<Path, Long> limits) {
    EventDecoder decoder = EventDecoder.of(schema, timestamp);
    List<Path> files = limits == null ? EventFiles.files(path) : List.copyOf(limits.keySet());
    if (files.isEmpty()) {
      throw new JobException("Cannot read " + what + ": " + path + " holds no files.");
    }
    if (format == EventFiles.Format.CSV) {
      for (Path f : files) {
        try {
          decoder.csvLayout(EventFiles.csvHeader(f)); // a missing column fails here, once, in one sentence
        } catch (IllegalArgumentException e) {
          throw new JobException("Cannot read " + what + ": "
              + (e.getMessage().startsWith("Cannot read ") ? e.getMessage().substring(12) : f + ": " + e.getMessage())
              + (e.getMessage().endsWith(".") ? "" : "."));
        }
      }
    }
    long target = rangeBytes > 0 ? rangeBytes : rangeBytes(files);
    Set<Path> whole = new HashSet<>();
    while (true) {
      List<Chunk> chunks = new ArrayList<>();
      for (Path f : files) {
        List<EventFiles.Range> ranges = whole.contains(f)
            ? List.of(new EventFiles.Range(0, -1, true)) : EventFiles.ranges(f, format, target);
        if (limits != null) {
          ranges = capped(ranges, limits.get(f), f);
        }
        ranges.forEach(r -> chunks.add(new Chunk(f.toString(), r)));
      }
      StructType out = outputSchema(schema);
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      // A task reads its chunks one after another: a folder of many small files needs no task per file.
      int slices = Math.max(1, Math.min(chunks.size(), 4 * jsc.defaultParallelism()));
      JavaRDD<Chunk> rdd = jsc.parallelize(chunks, slices);
      Dataset<Row> converted = spark.createDataFrame(rdd.mapPartitions(new ReadChunks(decoder, format)), out)
          .persist(StorageLevel.MEMORY_AND_DISK());
      List<Row> control = converted.where(functions.col(REJECT).startsWith(CONTROL)).select(REJECT, RAW).collectAsList();
      for (Row c : control) {
        if (c.getString(0).equals(FATAL)) {
          converted.unpersist();
          throw new JobException("Cannot read " + what + ": " + sentence(c.getString(1)));
        }
      }
      if (control.isEmpty()) {
        return finish(name, schema, converted);
      }
      converted.unpersist();
      control.forEach(c -> whole.add(Path.of(c.getString(1))));
    }
  }

  /** The ranges cut at {@code limit} bytes: the file as it was when it was that long. */
  private static List<EventFiles.Range> capped(List<EventFiles.Range> ranges, long limit, Path file) {
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
      if (sizeOf(file) != limit) {
        throw new JobException("Cannot read " + file + " as recorded: a gzip file cannot be cut at its recorded length; it changed.");
      }
      return ranges;
    }
    List<EventFiles.Range> out = new ArrayList<>();
    for (EventFiles.Range r : ranges) {
      long end = r.end() < 0 ? limit : Math.min(r.end(), limit);
      if (r.start() < limit) {
        out.add(new EventFiles.Range(r.start(), end, end == limit));
      }
    }
    if (out.isEmpty()) {
      out.add(new EventFiles.Range(0, 0, true));
    }
    return out;
  }

  /** Spark's own split size for files: every core busy, no range over maxPartitionBytes. */
  private long rangeBytes(List<Path> files) {
    var conf = spark.sessionState().conf();
    long total = 0;
    for (Path f : files) {
      try {
        total += Files.size(f) + conf.filesOpenCostInBytes();
      } catch (java.io.IOException e) {
        throw new JobException("Cannot read " + f + ": " + e.getMessage());
      }
    }
    long perCore = total / Math.max(1, spark.sparkContext().defaultParallelism());
    return Math.min(conf.filesMaxPartitionBytes(), Math.max(conf.filesOpenCostInBytes(), perCore));
  }

  private static String sentence(String message) {
    String m = message.startsWith("Cannot read ") ? message.substring(12) : message;
    return m.endsWith(".") ? m : m + ".";
  }

  /** Reads the chunks of a partition: a row per record, then a control row if a range was not clean. */
  private static final class ReadChunks implements FlatMapFunction<Iterator<Chunk>, Row> {
    private final EventDecoder decoder;
    private final EventFiles.Format format;

    ReadChunks(EventDecoder decoder, EventFiles.Format format) {
      this.decoder = decoder;
      this.format = format;
    }

    @Override
    public Iterator<Row> call(Iterator<Chunk> chunks) {
      int n = decoder.width();
      return new Iterator<>() {
        private EventFiles.Reader reader;
        private Chunk chunk;
        private Row next;

        @Override
        public boolean hasNext() {
          while (next == null) {
            if (reader == null) {
              if (!chunks.hasNext()) {
                return false;
              }
              chunk = chunks.next();
              try {
                reader = EventFiles.open(Path.of(chunk.file()), format, decoder, chunk.range());
              } catch (IllegalArgumentException e) {
                next = control(FATAL, e.getMessage());
                continue;
              }
            }
            EventFiles.Decoded d;
            try {
              d = reader.next();
            } catch (IllegalArgumentException e) {
              close();
              next = control(FATAL, e.getMessage());
              continue;
            }
            if (d == null) {
              boolean clean = reader.clean();
              close();
              if (!clean) {
                next = control(UNCLEAN, chunk.file());
              }
              continue;
            }
            Object[] out = new Object[n + 2];
            if (d.isOk()) {
              System.arraycopy(d.row(), 0, out, 0, n);
            } else {
              out[n] = d.reason();
              out[n + 1] = d.text();
            }
            next = RowFactory.create(out);
          }
          return true;
        }

        private void close() {
          reader.close();
          reader = null;
        }

        private Row control(String kind, String message) {
          Object[] out = new Object[n + 2];
          out[n] = kind;
          out[n + 1] = message;
          return RowFactory.create(out);
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

  // ------------------------------------------------------------------ Parquet and tables

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
    Converter converter = new Converter(EventDecoder.of(schema, timestamp), schema.names().toArray(String[]::new), positions);
    Dataset<Row> converted = raw.mapPartitions(converter, Encoders.row(outputSchema(schema)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return finish(name, schema, converted);
  }

  private static StructType outputSchema(Schema schema) {
    return SparkValues.internalSchema(schema)
        .add(REJECT, DataTypes.StringType, true)
        .add(RAW, DataTypes.StringType, true);
  }

  /** Counts the rows and the rejects of a converted (persisted) dataset and writes the rejects. */
  private Result finish(String name, Schema schema, Dataset<Row> converted) {
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

  /** Decodes typed rows (Parquet, tables) with the source's decoder; a row that does not fit carries its reason. */
  private static final class Converter implements MapPartitionsFunction<Row, Row>, Serializable {
    private final EventDecoder decoder;
    private final String[] names;
    private final int[] positions;

    Converter(EventDecoder decoder, String[] names, int[] positions) {
      this.decoder = decoder;
      this.names = names;
      this.positions = positions;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      ObjectMapper json = new ObjectMapper();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return input.hasNext();
        }

        @Override
        public Row next() {
          return convert(input.next(), json);
        }
      };
    }

    Row convert(Row raw, ObjectMapper json) {
      int n = names.length;
      Object[] values = new Object[n];
      for (int i = 0; i < n; i++) {
        values[i] = raw.get(positions[i]);
      }
      Object[] out = new Object[n + 2];
      try {
        System.arraycopy(decoder.decodeValues(values), 0, out, 0, n);
      } catch (RejectedRecordException e) {
        out[n] = e.getMessage();
        ObjectNode row = json.createObjectNode();
        for (int i = 0; i < n; i++) {
          row.put(names[i], values[i] == null ? null : String.valueOf(values[i]));
        }
        out[n + 1] = row.toString();
      }
      return RowFactory.create(out);
    }
  }
}
