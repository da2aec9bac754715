package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.testing.FlightsSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 5: a training set records what it read, and --as-of builds the same rows again
 * after events were appended to its source; a source changed other than by appending, or a group
 * changed since, is refused in one sentence.
 */
class TrainingSetLineageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path project;

  private SparkSession session;

  @BeforeEach
  void copyExample() throws IOException {
    session = SparkTestSession.get().newSession();
    SparkSession.setActiveSession(session);
    Path src = FlightsSample.exampleDir();
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path to = project.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!src.relativize(p).startsWith(".strata")) {
          Files.copy(p, to);
        }
      }
    }
  }

  @AfterEach
  void restore() {
    SparkSession.setActiveSession(SparkTestSession.get());
  }

  @Test
  void asOfRebuildsTheSameRowsAfterAppends() throws Exception {
    Path csv = project.resolve("data/flights-20k.csv");
    long length = Files.size(csv);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(csv)));
    Path first = project.resolve("out/first.parquet");
    Run built = run("training-set", "delay_training", "--out", first.toString());
    assertThat(built.code()).as(built.err()).isZero();

    JsonNode lineage = JSON.readTree(project.resolve("out/first.parquet.lineage.json").toFile());
    assertThat(lineage.get("training_set").asText()).isEqualTo("delay_training");
    JsonNode source = lineage.get("sources").get(0);
    assertThat(source.get("source").asText()).isEqualTo("flights");
    assertThat(source.get("files").get(0).get("length").asLong()).isEqualTo(length);
    assertThat(source.get("files").get(0).get("sha256").asText()).isEqualTo(sha);
    assertThat(lineage.get("group_fingerprints").has("origin_delays")).isTrue();

    // 50 more flights arrive: new spine rows, and new events for the features of later rows
    List<String> lines = Files.readAllLines(csv);
    StringBuilder more = new StringBuilder();
    for (String line : lines.subList(lines.size() - 50, lines.size())) {
      more.append(line).append('\n');
    }
    Files.writeString(csv, more, StandardOpenOption.APPEND);

    Path now = project.resolve("out/now.parquet");
    assertThat(run("training-set", "delay_training", "--out", now.toString()).code()).isZero();
    assertThat(rows(now)).as("the appended flights count without --as-of").hasSize(20_050);

    Path again = project.resolve("out/again.parquet");
    Run rebuilt = run("training-set", "delay_training", "--out", again.toString(),
        "--as-of", project.resolve("out/first.parquet.lineage.json").toString());
    assertThat(rebuilt.code()).as(rebuilt.err()).isZero();
    assertThat(rows(again)).hasSize(20_000).isEqualTo(rows(first));

    // a change inside the recorded bytes cannot be read as recorded
    String text = Files.readString(csv);
    Files.writeString(csv, text.replaceFirst("2001-01-01 00:47:00,66,", "2001-01-01 00:47:00,67,"));
    Run changed = run("training-set", "delay_training", "--out", project.resolve("out/x.parquet").toString(),
        "--as-of", project.resolve("out/first.parquet.lineage.json").toString());
    assertThat(changed.code()).isEqualTo(1);
    assertThat(changed.err().strip()).startsWith("Cannot read source 'flights' as recorded: the first " + length + " bytes of ")
        .endsWith("changed (only appends keep a recorded source readable).").doesNotContain("\n");
  }

  @Test
  void aGroupChangedSinceIsRefused() throws IOException {
    Path first = project.resolve("out/first.parquet");
    assertThat(run("training-set", "delay_training", "--out", first.toString()).code()).isZero();
    Path features = project.resolve("features.yaml");
    Files.writeString(features, Files.readString(features).replace("windows: [7d, 30d]", "windows: [7d, 14d]"));
    Run r = run("training-set", "delay_training", "--out", project.resolve("out/y.parquet").toString(),
        "--as-of", project.resolve("out/first.parquet.lineage.json").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("Cannot build training set 'delay_training' as of ").contains("group 'route_delays' changed since")
        .doesNotContain("\n");
  }

  @Test
  void aTableRecordsItsLineageToo() {
    Run built = run("training-set", "delay_training", "--out", "training.ts_first");
    assertThat(built.code()).as(built.err()).isZero();
    Run again = run("training-set", "delay_training", "--out", "training.ts_again", "--as-of", "training.ts_first");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(tableRows("training.ts_again")).hasSize(20_000).isEqualTo(tableRows("training.ts_first"));
  }

  private List<String> rows(Path parquet) {
    return session.read().parquet(parquet.toString()).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private List<String> tableRows(String table) {
    return session.table(StrataSpark.DEFAULT_CATALOG + "." + table).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private record Run(int code, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = Stream.concat(Stream.of("--project", project.toString()), Stream.of(args)).toArray(String[]::new);
    int code = BatchJob.run(all, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }
}
