package dev.strata.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * Writes a training set: to one Parquet or CSV file for an output ending {@code .parquet} or
 * {@code .csv}, else to an Iceberg table ({@code namespace.table}, or {@code training.<name>}),
 * replaced in one commit and partitioned by day of the spine time.
 */
final class TrainingSetWriter {
  private TrainingSetWriter() {}

  /** Returns where it wrote. */
  static String write(JobContext ctx, Dataset<Row> rows, String out, String timeColumn) {
    String lower = out.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet") || lower.endsWith(".csv")) {
      Path file = Path.of(out).toAbsolutePath().normalize();
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      boolean csv = lower.endsWith(".csv");
      Dataset<Row> data = csv ? flatten(rows) : rows;
      var w = data.coalesce(1).write().mode("overwrite");
      if (csv) {
        w.option("header", "true").csv(tmp.toString());
      } else {
        w.parquet(tmp.toString());
      }
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
    String[] parts = out.split("\\.");
    String namespace = parts.length > 1 ? String.join(".", List.of(parts).subList(0, parts.length - 1)) : "training";
    String table = ctx.catalog() + "." + StrataSpark.quote(namespace) + "." + StrataSpark.quote(parts[parts.length - 1]);
    ctx.spark().sql("CREATE NAMESPACE IF NOT EXISTS " + ctx.catalog() + "." + StrataSpark.quote(namespace));
    try {
      IcebergWrites.clusteredTable(rows.writeTo(table)).partitionedBy(functions.days(functions.col(timeColumn))).createOrReplace();
    } catch (Exception e) {
      throw new JobException("Cannot write " + table + ": " + StrataSpark.firstLine(e) + ".", e);
    }
    return table;
  }

  /** CSV holds no arrays or maps: those columns become JSON text. */
  private static Dataset<Row> flatten(Dataset<Row> rows) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      Column c = functions.col("`" + f.name() + "`");
      cols.add(f.dataType() instanceof ArrayType || f.dataType() instanceof MapType ? functions.to_json(c).as(f.name()) : c);
    }
    return rows.select(cols.toArray(Column[]::new));
  }
}
