package dev.strata.batch;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.testing.FlightsSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Copies of the example project for jobs to write into, and their tables as comparable text. */
final class TestProjects {
  private TestProjects() {}

  /** The flights example copied to {@code to}, without any warehouse it may hold. */
  static Path copyExample(Path to) throws IOException {
    Path src = FlightsSample.exampleDir();
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!src.relativize(p).startsWith(".strata")) {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  /** A row as text, bytes in hex: rows compare by value. */
  static String text(Row row) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < row.length(); i++) {
      Object v = row.get(i);
      sb.append(i == 0 ? "" : "|").append(v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v));
    }
    return sb.toString();
  }

  /** The rows of a project's table, sorted, read in {@code session} (refreshed first). */
  static List<String> rows(SparkSession session, Path project, String table) {
    StrataConfig config = StrataConfig.load(project);
    StrataSpark.registerCatalog(session, config, StrataSpark.DEFAULT_CATALOG);
    JobContext ctx = new JobContext(session, config, ProjectSnapshot.read(project),
        StrataSpark.DEFAULT_CATALOG, Progress.silent());
    session.sql("REFRESH TABLE " + ctx.table(table));
    return session.table(ctx.table(table)).collectAsList().stream().map(TestProjects::text).sorted().toList();
  }
}
