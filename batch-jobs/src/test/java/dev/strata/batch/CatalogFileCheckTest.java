package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.testing.FlightsSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged Iceberg SQLite catalog (0 bytes, or not SQLite) stops a job with one sentence and
 * exit 1, and stays as it was: SQLite alone would take the empty file for a new catalog and the
 * job would write a new table history beside the old data files (issue 15, item 11).
 */
class CatalogFileCheckTest {
  @TempDir
  Path project;

  Path catalog;

  @BeforeEach
  void copyExample() throws IOException {
    SparkTestSession.get();
    Path src = FlightsSample.exampleDir();
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path to = project.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!p.toString().contains(".strata")) {
          Files.copy(p, to);
        }
      }
    }
    catalog = project.resolve(".strata/warehouse/catalog.db");
    Files.createDirectories(catalog.getParent());
  }

  private String failingBackfill() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BatchJob.run(new String[] {"--project", project.toString(), "backfill", "origin_delays",
        "--from", "2001-01-01", "--to", "2001-01-01"}, new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = err.toString(StandardCharsets.UTF_8).strip();
    assertThat(code).as(text).isEqualTo(1);
    assertThat(text).startsWith("Cannot open the catalog " + catalog + ": ").doesNotContain("\n").endsWith(".");
    return text;
  }

  @Test
  void anEmptyCatalogFileIsRefused() throws IOException {
    Files.write(catalog, new byte[0]);
    Files.setLastModifiedTime(catalog, FileTime.from(Instant.now().minusSeconds(60)));
    assertThat(failingBackfill()).contains("the file is empty (0 bytes), not a SQLite database");
    assertThat(Files.size(catalog)).isZero();
    assertThat(project.resolve(".strata/warehouse/flights")).doesNotExist();
  }

  @Test
  void aCatalogFileThatIsNotSqliteIsRefused() throws IOException {
    Files.writeString(catalog, "PK\u0003\u0004 a zip, not a catalog");
    assertThat(failingBackfill()).contains("the file is not a SQLite database");
    assertThat(Files.readString(catalog)).isEqualTo("PK\u0003\u0004 a zip, not a catalog");
  }
}
