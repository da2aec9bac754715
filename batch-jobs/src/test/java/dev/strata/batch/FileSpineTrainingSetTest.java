package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.oracle.Oracle.TrainingRow;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training set whose spine is a file (docs/language.md, {@code spine: { path: … }}): the flights
 * example with a spine file of every 7th flight's keys, time and delay (columns in another order
 * than the spine's, an extra column the spine ignores), plus rows the events never saw (an
 * unknown airport, times before the data and before 1970). Its values equal the oracle's on
 * every row and the source-spine training set's on the rows both have; the same rows as Parquet
 * and JSON lines through the command line's {@code --spine} give the same training set; bad
 * spine files are one sentence.
 */
class FileSpineTrainingSetTest {
  static final String SPINES = """
      training_sets:
        from_file:
          service: delay_model_v1
          spine:
            path: data/spine.csv
            keys: { airport: origin, route: [origin, destination] }
            schema: { delay: int }
            label: "delay > 15"
      """;

  @TempDir
  static Path project;
  @TempDir
  static Path warehouse;

  /** Spine rows in the file spine's columns: origin, destination, date, delay. */
  static final List<Object[]> spine = new ArrayList<>();
  static CompiledPlan plan;

  @BeforeAll
  static void writeProject() throws IOException {
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
    Files.writeString(project.resolve("spines.yaml"), SPINES);
    plan = ProjectSnapshot.compile(project);
    List<Object[]> events = FlightsSample.events();
    for (int i = 0; i < events.size(); i += 7) {
      Object[] e = events.get(i); // date, delay, distance, origin, destination
      spine.add(new Object[] {e[3], e[4], e[0], e[1]});
    }
    spine.add(new Object[] {"ZZZ", "BOS", Durations.parseInstant("2001-02-01T10:00:00Z"), 3L});
    spine.add(new Object[] {"ORD", "LAX", Durations.parseInstant("2000-12-31T23:59:59Z"), 30L});
    spine.add(new Object[] {"ORD", "LAX", Durations.parseInstant("1965-06-01T00:00:00Z"), null});
    List<String> lines = new ArrayList<>(List.of("date,delay,origin,distance,destination"));
    for (Object[] r : spine) {
      lines.add(Durations.formatInstant((Long) r[2]) + "," + (r[3] == null ? "" : r[3]) + "," + r[0] + ",123," + r[1]);
    }
    Files.write(project.resolve("data/spine.csv"), lines);
  }

  @Test
  void spineColumnsAreTypedFromTheEntitiesAndTheSchema() {
    Schema schema = plan.trainingSet("from_file").orElseThrow().spineSchema();
    assertThat(schema).isEqualTo(Schema.of(new Field("origin", DataType.STRING), new Field("destination", DataType.STRING),
        new Field("date", DataType.TIMESTAMP), new Field("delay", DataType.LONG)));
    assertThat(plan.trainingSet("from_file").orElseThrow().timestamp()).as("the service's sources' timestamp").isEqualTo("date");
  }

  @Test
  void fileSpineEqualsTheOracle() {
    JobContext ctx = SparkTestSession.context(project, warehouse);
    List<Row> rows = new TrainingSetJob(ctx).compute("from_file", null).collectAsList();
    assertThat(rows).hasSize(spine.size());
    assertThat(Arrays.asList(rows.get(0).schema().fieldNames())).startsWith("origin", "destination", "date", "delay", "label");
    List<Object[]> sample = new ArrayList<>();
    for (int i = 0; i < spine.size(); i += 3) {
      sample.add(spine.get(i));
    }
    sample.addAll(spine.subList(spine.size() - 3, spine.size()));
    List<TrainingRow> expected = new Oracle(plan).trainingSet("from_file", Map.of("flights", FlightsSample.events()), sample);
    TrainingSetAssert.assertMatches(plan, "from_file", rows, sample, expected, plan.trainingSet("from_file").orElseThrow().spineSchema());
  }

  @Test
  void fileSpineEqualsTheSourceSpine() {
    JobContext ctx = SparkTestSession.context(project, warehouse);
    List<Row> fromFile = new TrainingSetJob(ctx).compute("from_file", null).collectAsList();
    List<Row> fromSource = new TrainingSetJob(ctx).compute("delay_training", null).collectAsList();
    CompiledService service = plan.service("delay_model_v1").orElseThrow();
    List<String> columns = new ArrayList<>(List.of("label"));
    service.features().forEach(f -> columns.add(TrainingSetJob.columnName(f.qualifiedName())));
    service.derived().forEach(d -> columns.add(d.name()));
    Map<List<Object>, List<Object>> bySpine = new HashMap<>();
    for (Row r : fromSource) {
      // flights with equal keys, time and delay have equal values: any of them stands for all
      bySpine.put(spineKey(r), values(r, columns));
    }
    int compared = 0;
    for (Row r : fromFile) {
      List<Object> want = bySpine.get(spineKey(r));
      if (want != null) {
        assertThat(values(r, columns)).as("row %s", spineKey(r)).isEqualTo(want);
        compared++;
      }
    }
    assertThat(compared).isEqualTo(spine.size() - 3);
  }

  @Test
  void parquetAndJsonLinesSpinesThroughTheCommandLineGiveTheSameRows() throws IOException {
    StructType struct = new StructType().add("origin", DataTypes.StringType).add("destination", DataTypes.StringType)
        .add("date", DataTypes.TimestampType).add("delay", DataTypes.LongType);
    List<Row> rows = new ArrayList<>();
    List<String> json = new ArrayList<>();
    for (Object[] r : spine) {
      rows.add(RowFactory.create(r[0], r[1], Durations.toInstant((Long) r[2]), r[3]));
      json.add("{\"origin\": \"" + r[0] + "\", \"destination\": \"" + r[1] + "\", \"date\": \"" + Durations.formatInstant((Long) r[2])
          + "\", \"delay\": " + r[3] + "}");
    }
    Path parquet = project.resolve("spine.parquet");
    SparkTestSession.get().createDataFrame(rows, struct).coalesce(1).write().parquet(parquet.toString());
    Path jsonl = project.resolve("spine.jsonl");
    Files.write(jsonl, json);

    List<String> want = sorted(run("data/spine.csv", "csv-out.parquet"));
    assertThat(want).hasSize(spine.size());
    assertThat(sorted(run(parquet.toString(), "parquet-out.parquet"))).isEqualTo(want);
    assertThat(sorted(run("spine.jsonl", "json-out.parquet"))).isEqualTo(want);
  }

  /**
   * Issue 19 item 12: a --spine file for a source spine (delay_training reads flights) may hold
   * just the keys' columns and the time; the source's other columns and the label (which reads
   * delay) are then not in it, and every feature equals the source spine's for the same row.
   */
  @Test
  void aSourceSpineTakesAFileOfJustKeysAndTime() {
    List<String> lines = new ArrayList<>(List.of("destination,date,origin"));
    for (Object[] r : spine.subList(0, spine.size() - 3)) {
      lines.add(r[1] + "," + Durations.formatInstant((Long) r[2]) + "," + r[0]);
    }
    Path keysAndTime = project.resolve("keys-and-time.csv");
    try {
      Files.write(keysAndTime, lines);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Path file = project.resolve("out/keys-and-time.parquet");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldErr = System.err; // the job's progress lines go to System.err
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = BatchJob.run(new String[] {"--project", project.toString(), "training-set", "delay_training", "--spine",
          keysAndTime.toString(), "--out", file.toString()}, System.err);
    } finally {
      System.setErr(oldErr);
    }
    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(said).isZero();
    assertThat(said).contains("has no column(s) delay, distance of source 'flights'; they are left out of the training set, "
        + "and the label, which reads delay, is NULL");
    List<Row> fromFile = SparkTestSession.get().read().parquet(file.toString()).collectAsList();
    assertThat(fromFile).hasSize(spine.size() - 3);
    assertThat(Arrays.asList(fromFile.get(0).schema().fieldNames())).startsWith("date", "origin", "destination", "label")
        .doesNotContain("delay", "distance");

    JobContext ctx = SparkTestSession.context(project, warehouse);
    List<Row> fromSource = new TrainingSetJob(ctx).compute("delay_training", null).collectAsList();
    CompiledService service = plan.service("delay_model_v1").orElseThrow();
    List<String> columns = new ArrayList<>();
    service.features().forEach(f -> columns.add(TrainingSetJob.columnName(f.qualifiedName())));
    service.derived().forEach(d -> columns.add(d.name()));
    Map<List<Object>, List<Object>> bySpine = new HashMap<>();
    for (Row r : fromSource) {
      bySpine.put(List.of(r.getAs("origin"), r.getAs("destination"), r.getAs("date")), values(r, columns));
    }
    for (Row r : fromFile) {
      assertThat(r.<Object>getAs("label")).isNull();
      List<Object> key = List.of(r.getAs("origin"), r.getAs("destination"), r.getAs("date"));
      assertThat(bySpine).containsKey(key);
      assertThat(values(r, columns)).as("row %s", key).isEqualTo(bySpine.get(key));
    }

    Path noTime = project.resolve("no-time.csv");
    try {
      Files.write(noTime, List.of("origin,destination", "ORD,LAX"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    int code2 = BatchJob.run(new String[] {"--project", project.toString(), "training-set", "delay_training", "--spine",
        noTime.toString(), "--out", project.resolve("out/bad.parquet").toString()}, new PrintStream(err2, true, StandardCharsets.UTF_8));
    assertThat(code2).isEqualTo(1);
    assertThat(err2.toString(StandardCharsets.UTF_8).strip()).isEqualTo("Cannot read the spine of training set 'delay_training': "
        + noTime + " lacks column(s) date, which the spine's keys and time read (it has origin, destination).");
  }

  @Test
  void badSpineFilesAreOneSentence() throws IOException {
    Files.write(project.resolve("no-key.csv"), List.of("date,delay,origin", "2001-02-01T00:00:00Z,3,BOS"));
    assertThat(fails("no-key.csv")).isEqualTo("Cannot read the spine of training set 'from_file': "
        + project.resolve("no-key.csv") + ": column 'destination' is missing from the header (it has date, delay, origin).");

    Files.write(project.resolve("bad-time.csv"),
        List.of("origin,destination,date,delay", "BOS,JFK,2001-02-01T00:00:00Z,3", "BOS,JFK,yesterday,4"));
    assertThat(fails("bad-time.csv")).startsWith("Cannot build training set 'from_file': 1 of 2 rows of spine bad-time.csv do not fit"
        + " (first: column 'date': expected timestamp, got 'yesterday'; every row and reason in ");

    Files.write(project.resolve("short-row.csv"),
        List.of("origin,destination,date,delay", "BOS,JFK,2001-02-01T00:00:00Z,3", "BOS,JFK"));
    assertThat(fails("short-row.csv")).startsWith("Cannot build training set 'from_file': 1 of 2 rows of spine short-row.csv do not"
        + " fit (first: expected 4 cells as in the header, got 2; every row and reason in ");

    assertThat(fails("nowhere.csv")).isEqualTo("Cannot read the spine of training set 'from_file': "
        + project.resolve("nowhere.csv") + " does not exist.");
  }

  private static List<Object> spineKey(Row r) {
    return List.of(r.getAs("origin"), r.getAs("destination"), r.getAs("date"), String.valueOf(r.<Object>getAs("delay")));
  }

  private static List<Object> values(Row r, List<String> columns) {
    List<Object> out = new ArrayList<>();
    for (String c : columns) {
      out.add(SparkTestSession.field(r, c));
    }
    return out;
  }

  /** The training set the command line writes for {@code spineFile}, as the rows' text. */
  private List<Row> run(String spineFile, String out) {
    Path file = project.resolve("out").resolve(out);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BatchJob.run(new String[] {"--project", project.toString(), "training-set", "from_file", "--spine", spineFile,
        "--out", file.toString()}, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return SparkTestSession.get().read().parquet(file.toString()).collectAsList();
  }

  private static List<String> sorted(List<Row> rows) {
    return rows.stream().map(Row::toString).sorted().toList();
  }

  /** The command line's error for {@code spineFile}: exit 1 and one line. */
  private String fails(String spineFile) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BatchJob.run(new String[] {"--project", project.toString(), "training-set", "from_file", "--spine", spineFile,
        "--out", project.resolve("out/bad.parquet").toString()}, new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = err.toString(StandardCharsets.UTF_8).strip();
    assertThat(code).as(text).isEqualTo(1);
    assertThat(text.lines().count()).as(text).isEqualTo(1);
    return text;
  }
}
