package dev.strata.batch;

import dev.strata.dsl.io.EventCsv;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.types.DataType;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Writes a training set: to one Parquet or CSV file (Strata's CSV dialect) for an output ending
 * {@code .parquet} or {@code .csv}, else to an Iceberg table ({@code namespace.table}, or {@code training.<name>}),
 * replaced in one commit and partitioned by day of the spine time.
 */
final class TrainingSetWriter {
  private TrainingSetWriter() {}

  private static String namespaceOf(String out) {
    String[] parts = out.split("\\.");
    return parts.length > 1 ? String.join(".", List.of(parts).subList(0, parts.length - 1)) : "training";
  }

  /** The catalog table an output that is not a file names: {@code namespace.table}, or {@code training.<name>}. */
  static String tableName(JobContext ctx, String out) {
    String[] parts = out.split("\\.");
    return ctx.catalog() + "." + StrataSpark.quote(namespaceOf(out)) + "." + StrataSpark.quote(parts[parts.length - 1]);
  }

  /** Returns where it wrote. */
  static String write(JobContext ctx, Dataset<Row> rows, String out, String timeColumn) {
    String lower = out.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet") || lower.endsWith(".csv")) {
      Path file = Path.of(out).toAbsolutePath().normalize();
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      if (lower.endsWith(".csv")) {
        writeCsv(rows, file);
        return file.toString();
      }
      // One file, written by one task after a shuffle: a coalesce(1) would run the whole last stage
      // (the last sweep and the derived features) in that one task, on one core.
      rows.repartition(1).write().mode("overwrite").parquet(tmp.toString());
      try (Stream<Path> s = Files.list(tmp)) {
        Path part = s.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst()
            .orElseThrow(() -> new JobException("Cannot write " + file + ": Spark wrote no part file."));
        Files.createDirectories(file.getParent());
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> rest = Files.walk(tmp)) {
          rest.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return file.toString();
    }
    String table = tableName(ctx, out);
    String namespace = namespaceOf(out);
    ctx.spark().sql("CREATE NAMESPACE IF NOT EXISTS " + ctx.catalog() + "." + StrataSpark.quote(namespace));
    try {
      IcebergWrites.clusteredTable(rows.writeTo(table)).partitionedBy(functions.days(functions.col(timeColumn))).createOrReplace();
    } catch (Exception e) {
      throw new JobException("Cannot write " + table + ": " + StrataSpark.firstLine(e) + ".", e);
    }
    return table;
  }

  /**
   * A CSV file in Strata's dialect ({@link EventCsv}), values in {@link TypedValues}' text forms
   * (timestamps ISO-8601 UTC, arrays and maps as JSON): Python's csv module, pandas and every
   * Strata reader read back exactly the values written. The records are formatted by the tasks
   * and written in order by the driver, to a temporary file moved into place when complete.
   */
  private static void writeCsv(Dataset<Row> rows, Path file) {
    StructField[] fields = rows.schema().fields();
    String[] types = new String[fields.length];
    for (int i = 0; i < fields.length; i++) {
      types[i] = typeName(fields[i].dataType());
    }
    Dataset<String> records = rows.map((MapFunction<Row, String>) r -> {
      List<String> cells = new ArrayList<>(types.length);
      for (int i = 0; i < types.length; i++) {
        DataType type = DataType.parseOrNull(types[i]);
        cells.add(TypedValues.format(TypedValues.fromObject(javaValue(r.get(i)), type), type));
      }
      return EventCsv.formatRecord(cells);
    }, Encoders.STRING());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        EventCsv.writeRecord(out, Arrays.stream(fields).map(StructField::name).toList());
        for (Iterator<String> it = records.toLocalIterator(); it.hasNext(); ) {
          out.write(it.next());
          out.write('\n');
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // best effort: the temporary file is hidden
      }
    }
  }

  /** The Strata type name of an output column's Spark type. */
  private static String typeName(org.apache.spark.sql.types.DataType t) {
    if (t instanceof ArrayType a) {
      return "array<" + typeName(a.elementType()) + ">";
    } else if (t instanceof MapType m) {
      return "map<" + typeName(m.keyType()) + "," + typeName(m.valueType()) + ">";
    } else if (t instanceof LongType || t instanceof IntegerType || t instanceof ShortType || t instanceof ByteType) {
      return "bigint";
    } else if (t instanceof DoubleType || t instanceof FloatType) {
      return "double";
    } else if (t instanceof BooleanType) {
      return "boolean";
    } else if (t instanceof TimestampType || t instanceof TimestampNTZType) {
      return "timestamp";
    }
    return "string";
  }

  /** A Spark row value with Java collections for Scala ones (times stay java.time values). */
  private static Object javaValue(Object v) {
    if (v instanceof scala.collection.Seq<?> seq) {
      List<Object> out = new ArrayList<>();
      for (Object e : scala.jdk.javaapi.CollectionConverters.asJava(seq)) {
        out.add(javaValue(e));
      }
      return out;
    }
    if (v instanceof scala.collection.Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      scala.jdk.javaapi.CollectionConverters.asJava(map).forEach((k, x) -> out.put(javaValue(k), javaValue(x)));
      return out;
    }
    return v;
  }
}
