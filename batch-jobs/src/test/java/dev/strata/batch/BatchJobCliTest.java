package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.testing.FlightsSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry point: results through the command line, and one sentence with exit 1 for bad input. */
class BatchJobCliTest {
  @TempDir
  Path project;

  @BeforeEach
  void copyExample() throws IOException {
    SparkTestSession.get();
    Path src = FlightsSample.exampleDir();
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path to = project.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }

  private record Run(int code, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BatchJob.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void trainingSetToParquetFile() {
    Path out = project.resolve("out/ts.parquet");
    Run r = run("--project", project.toString(), "training-set", "delay_training", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.isRegularFile(out)).isTrue();
    Row count = SparkTestSession.get().read().parquet(out.toString()).selectExpr("count(*)", "count(DISTINCT date, origin, destination, delay)").first();
    assertThat(count.getLong(0)).isEqualTo(20_000);
  }

  @Test
  void unknownGroupIsOneSentence() {
    Run r = run("--project", project.toString(), "backfill", "nope", "--from", "2001-01-01", "--to", "2001-01-02");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo(
        "Cannot backfill group 'nope': no such feature group (known: origin_delays, destination_delays, route_delays).");
  }

  @Test
  void unknownTrainingSetIsOneSentence() {
    Run r = run("--project", project.toString(), "training-set", "nope", "--out", "x.parquet");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("Cannot build training set 'nope': no such training set").doesNotContain("\n");
  }

  @Test
  void missingInputIsOneSentence() throws IOException {
    Files.delete(project.resolve("data/flights-20k.csv"));
    Run r = run("--project", project.toString(), "training-set", "delay_training", "--out", "x.parquet");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("Cannot read source 'flights': ").endsWith("does not exist.").doesNotContain("\n");
  }

  @Test
  void unreachableCatalogIsOneSentence() throws IOException {
    Files.writeString(project.resolve("strata.yaml"), "catalog:\n  uri: jdbc:postgresql://127.0.0.1:1/nothing\n  user: x\n");
    Run r = run("--project", project.toString(), "backfill", "--all", "--from", "2001-01-01", "--to", "2001-01-02");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("Cannot reach the catalog at jdbc:postgresql://127.0.0.1:1/nothing").doesNotContain("\n");
  }

  @Test
  void badDateAndMissingProject() {
    Run r = run("--project", project.toString(), "backfill", "--all", "--from", "January", "--to", "2001-01-02");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("Cannot read --from 'January': expected a date such as 2001-01-31.");
    Run m = run("--project", project.resolve("nope").toString(), "backfill", "--all", "--from", "2001-01-01", "--to", "2001-01-02");
    assertThat(m.code()).isEqualTo(1);
    assertThat(m.err().strip()).endsWith("no such folder.");
  }

  @Test
  void monitorAndLogOptionsAreCheckedBeforeSparkStarts() throws IOException {
    Run noDir = run("--project", project.toString(), "log", "ingest", "logs");
    assertThat(noDir.code()).isEqualTo(1);
    assertThat(noDir.err().strip()).isEqualTo("Cannot ingest logs from " + project.resolve("logs") + ": no such folder.");
    Files.createDirectories(project.resolve("empty-logs"));
    Run empty = run("--project", project.toString(), "log", "ingest", "empty-logs");
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err().strip()).isEqualTo("Cannot ingest logs from " + project.resolve("empty-logs")
        + ": it holds neither features/ nor predictions/.");
    Run hook = run("--project", project.toString(), "monitor", "delay_model_health", "--webhook", "not a url");
    assertThat(hook.code()).isEqualTo(1);
    assertThat(hook.err().strip()).isEqualTo(
        "Cannot read --webhook 'not a url': expected an http(s) URL such as http://127.0.0.1:9091.");
    Run tolerance = run("--project", project.toString(), "monitor", "delay_model_health", "--skew-tolerance", "2");
    assertThat(tolerance.code()).isEqualTo(1);
    assertThat(tolerance.err().strip()).isEqualTo("Cannot compare with relative tolerance 2.0: it must be in [0, 1).");
  }
}
