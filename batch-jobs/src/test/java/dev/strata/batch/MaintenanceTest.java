package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 11: a killed backfill leaves data files no snapshot references in the table's
 * folder; {@code maintenance} deletes them and expires old snapshots without changing any row, and
 * refuses while a job holds the warehouse lock.
 */
class MaintenanceTest {
  private static final String GROUP = "origin_delays";

  @TempDir
  Path tmp;

  private final java.util.Map<Path, SparkSession> sessions = new java.util.HashMap<>();

  @AfterEach
  void restore() {
    SparkSession.setActiveSession(SparkTestSession.get());
  }

  @Test
  void removesOrphansAndOldSnapshotsKeepingEveryRow() throws Exception {
    Path project = TestProjects.copyExample(tmp.resolve("flights"));
    Run first = run(project, "backfill", GROUP, "--from", "2001-01-01", "--to", "2001-01-10");
    assertThat(first.code()).as(first.err()).isZero();

    // what a kill -9 between writing files and committing leaves: Parquet files no snapshot references
    Path data = Path.of(java.net.URI.create(location(project, GROUP).replaceFirst("^file:/+", "file:///"))).resolve("data");
    Path real;
    try (Stream<Path> s = Files.walk(data)) {
      real = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    List<Path> strays = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path stray = real.resolveSibling("00000-killed-" + i + ".parquet");
      Files.copy(real, stray);
      Files.setLastModifiedTime(stray, FileTime.from(Instant.now().minus(2, ChronoUnit.DAYS)));
      strays.add(stray);
    }

    for (int i = 0; i < 2; i++) {
      Run again = run(project, "backfill", GROUP, "--from", "2001-01-01", "--to", "2001-01-10");
      assertThat(again.code()).as(again.err()).isZero();
    }
    List<String> rowsBefore = rows(project, GROUP);
    List<String> tilesBefore = rows(project, GROUP + "__tiles");
    int snapshotsBefore = snapshots(project, GROUP);
    assertThat(snapshotsBefore).as("three backfills, three snapshots at least").isGreaterThanOrEqualTo(3);

    Run dry = run(project, "maintenance", "--retention", "0d", "--keep-last", "1", "--older-than", "0h", "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    for (Path stray : strays) {
      assertThat(stray).exists();
      assertThat(dry.out()).contains(stray.getFileName().toString());
    }
    assertThat(dry.out()).contains("would remove").contains("total:");
    assertThat(snapshots(project, GROUP)).as("a dry run expires nothing").isEqualTo(snapshotsBefore);

    Run maintenance = run(project, "maintenance", "--retention", "0d", "--keep-last", "1", "--older-than", "0h");
    assertThat(maintenance.code()).as(maintenance.err()).isZero();
    for (Path stray : strays) {
      assertThat(stray).doesNotExist();
    }
    assertThat(maintenance.out()).containsPattern("(?m)^strata\\." + GROUP + ": removed [1-9][0-9]* snapshots, 2 orphan files, [0-9,]+ bytes$")
        .contains("total: removed");
    assertThat(snapshots(project, GROUP)).isEqualTo(1);
    assertThat(snapshots(project, GROUP + "__tiles")).isEqualTo(1);
    assertThat(rows(project, GROUP)).isNotEmpty().isEqualTo(rowsBefore);
    assertThat(rows(project, GROUP + "__tiles")).isNotEmpty().isEqualTo(tilesBefore);

    Run backfillAfter = run(project, "backfill", GROUP, "--from", "2001-01-01", "--to", "2001-01-10");
    assertThat(backfillAfter.code()).as("the table works on: " + backfillAfter.err()).isZero();
    assertThat(rows(project, GROUP)).isEqualTo(rowsBefore);
  }

  @Test
  void refusesWhileAJobHoldsTheWarehouseLock() throws Exception {
    Path project = TestProjects.copyExample(tmp.resolve("locked"));
    Path warehouse = StrataConfig.load(project).warehousePath();
    Files.createDirectories(warehouse);
    try (FileChannel channel = FileChannel.open(warehouse.resolve(".strata.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock held = channel.lock(0, Long.MAX_VALUE, true)) {
      Run r = run(project, "maintenance");
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err().strip()).isEqualTo("Cannot run maintenance: a Strata job is writing to " + warehouse
          + "; run it when no job runs.");
    }
    Run free = run(project, "maintenance", "--dry-run");
    assertThat(free.code()).as(free.err()).isZero();
  }

  @Test
  void aBadDurationIsOneSentence() throws IOException {
    Path project = TestProjects.copyExample(tmp.resolve("bad"));
    Run r = run(project, "maintenance", "--retention", "seven days");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("Cannot read --retention 'seven days': expected a number and a unit s, m, h or d, such as 7d or 24h.");
  }

  private String location(Path project, String table) throws Exception {
    return load(project, table).location();
  }

  private int snapshots(Path project, String table) throws Exception {
    Table t = load(project, table);
    t.refresh();
    int n = 0;
    for (var ignored : t.snapshots()) {
      n++;
    }
    return n;
  }

  private Table load(Path project, String table) throws Exception {
    return Spark3Util.loadIcebergTable(sessionOf(project), context(project).table(table));
  }

  private JobContext context(Path project) {
    return new JobContext(sessionOf(project), StrataConfig.load(project), ProjectSnapshot.read(project), StrataSpark.DEFAULT_CATALOG,
        Progress.silent());
  }

  /** The table's rows, sorted, read in the session whose catalog the project's jobs registered. */
  private List<String> rows(Path project, String table) {
    SparkSession session = sessionOf(project);
    session.sql("REFRESH TABLE " + context(project).table(table));
    return session.table(context(project).table(table)).collectAsList().stream().map(TestProjects::text).sorted().toList();
  }


  private SparkSession sessionOf(Path project) {
    return sessions.computeIfAbsent(project, p -> SparkTestSession.get().newSession());
  }

  private record Run(int code, String out, String err) {}

  private Run run(Path project, String... args) {
    SparkSession.setActiveSession(sessionOf(project));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    String[] all = Stream.concat(Stream.of("--project", project.toString()), Stream.of(args)).toArray(String[]::new);
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = BatchJob.run(all, new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

}
