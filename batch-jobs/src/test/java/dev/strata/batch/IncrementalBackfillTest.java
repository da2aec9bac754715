package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.RangeClaim;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryConfig;
import dev.strata.dsl.time.TimeRanges;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 items 1-2: backfill --through computes only the days the group's current version lacks,
 * records them in the job ledger, and gives the same tables as one explicit run of the whole range.
 */
class IncrementalBackfillTest {
  @TempDir
  Path tmp;

  private final java.util.Map<Path, SparkSession> sessions = new java.util.HashMap<>();

  @AfterEach
  void restore() {
    SparkSession.setActiveSession(SparkTestSession.get());
  }

  @Test
  void januaryThenFebruaryThenNothingEqualsOneRun() throws IOException {
    Path incremental = TestProjects.copyExample(tmp.resolve("incremental"));
    Path once = TestProjects.copyExample(tmp.resolve("once"));
    CompiledPlan plan = ProjectSnapshot.read(incremental).plan();
    List<CompiledGroup> groups = plan.groups().stream().filter(CompiledGroup::offline).toList();
    long jan1 = LocalDate.parse("2001-01-01").toEpochDay();

    assertThat(run(incremental, "backfill", "--all", "--through", "2001-01-31").code()).isZero();
    try (Registry registry = registry(incremental)) {
      for (CompiledGroup g : groups) {
        assertThat(registry.jobs().covered("flights", JobKind.BACKFILL, g.name(), g.version()))
            .as("January, from the first event (the sample starts 2001-01-01)").isEqualTo(TimeRanges.days(jan1, jan1 + 30));
      }
    }

    assertThat(run(incremental, "backfill", "--all", "--through", "2001-02-28").code()).isZero();
    try (Registry registry = registry(incremental)) {
      for (CompiledGroup g : groups) {
        List<JobRun> runs = registry.jobs().runs("flights", JobKind.BACKFILL, g.name(), g.version());
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).covered()).as("the second run computed February only").isEqualTo(TimeRanges.days(jan1 + 31, jan1 + 58));
        assertThat(runs.get(0).snapshotIds()).hasSize(2);
        assertThat(runs.get(0).rows()).isPositive();
      }
    }

    assertThat(run(incremental, "backfill", "--all", "--through", "2001-02-28").code()).isZero();
    try (Registry registry = registry(incremental)) {
      for (CompiledGroup g : groups) {
        assertThat(registry.jobs().runs("flights", JobKind.BACKFILL, g.name(), g.version())).as("a rerun does nothing").hasSize(2);
      }
    }

    Run materialize = run(incremental, "materialize", "origin_delays", "--at", "2001-03-01T00:00:00Z");
    assertThat(materialize.code()).as(materialize.err()).isZero();
    try (Registry registry = registry(incremental)) {
      CompiledGroup g = plan.group("origin_delays").orElseThrow();
      List<JobRun> runs = registry.jobs().runs("flights", JobKind.MATERIALIZE, g.name(), g.version());
      assertThat(runs).hasSize(1);
      assertThat(runs.get(0).coveredTo()).as("materialized to --at").isEqualTo(TimeRanges.days(jan1 + 59, jan1 + 59).start(0));
      assertThat(runs.get(0).rows()).isPositive();
    }

    assertThat(run(once, "backfill", "--all", "--from", "2001-01-01", "--to", "2001-02-28").code()).isZero();
    for (CompiledGroup g : groups) {
      for (String table : List.of(g.name(), g.name() + "__tiles")) {
        assertThat(rows(incremental, table)).as(table).isNotEmpty().isEqualTo(rows(once, table));
      }
    }
    try (Registry registry = registry(once)) {
      assertThat(registry.jobs().covered("flights", JobKind.BACKFILL, "origin_delays", plan.group("origin_delays").orElseThrow().version()))
          .as("explicit ranges are recorded too").isEqualTo(TimeRanges.days(jan1, jan1 + 58));
    }
  }

  @Test
  void aRangeAnotherRunHoldsIsRefusedInOneSentence() throws IOException {
    Path project = TestProjects.copyExample(tmp.resolve("held"));
    try (Registry registry = registry(project)) {
      long jan1 = LocalDate.parse("2001-01-01").toEpochDay();
      TimeRanges january = TimeRanges.days(jan1, jan1 + 30);
      RangeClaim other = registry.jobs().claim("flights", JobKind.BACKFILL, "origin_delays", january.start(0), january.end(0),
          "12345@elsewhere", Duration.ofMinutes(5));
      Run r = run(project, "backfill", "origin_delays", "--from", "2001-01-15", "--to", "2001-01-20");
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err().strip()).startsWith("Cannot start the backfill of origin_delays").contains("another run (12345@elsewhere)")
          .doesNotContain("\n");
      registry.jobs().release(other);
      assertThat(run(project, "backfill", "origin_delays", "--from", "2001-01-15", "--to", "2001-01-20").code()).isZero();
    }
  }

  @Test
  void optionsThatCannotGoTogetherAreOneSentence() throws IOException {
    Path project = TestProjects.copyExample(tmp.resolve("opts"));
    assertThat(run(project, "backfill", "--all", "--from", "2001-01-01").err().strip())
        .startsWith("Cannot backfill: give --through <day|yesterday>");
    assertThat(run(project, "backfill", "--all", "--to", "2001-01-01", "--through", "yesterday").err().strip())
        .startsWith("Cannot backfill: give either --to");
    assertThat(run(project, "backfill", "--all", "--to", "2001-01-01").err().strip()).isEqualTo("Cannot backfill: --to needs --from (the first day to replace).");
    Run r = run(project, "backfill", "--all", "--from", "2001-03-01", "--through", "2001-02-01");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("Cannot backfill: --through 2001-02-01 is before --from 2001-03-01.");
  }

  /** The table's rows, read in the session whose catalog the project's jobs registered. */
  private List<String> rows(Path project, String table) {
    SparkSession session = sessionOf(project);
    StrataConfig config = StrataConfig.load(project);
    JobContext ctx = new JobContext(session, config, ProjectSnapshot.read(project), StrataSpark.DEFAULT_CATALOG, Progress.silent());
    return session.table(ctx.table(table)).collectAsList().stream().map(TestProjects::text).sorted().toList();
  }


  /** One Spark session per project, as one job JVM has: a session caches the catalog it registered. */
  private SparkSession sessionOf(Path project) {
    return sessions.computeIfAbsent(project, p -> SparkTestSession.get().newSession());
  }

  private static Registry registry(Path project) {
    StrataConfig config = StrataConfig.load(project);
    return Registry.open(new RegistryConfig(config.catalogUri(), config.catalogUser(), config.catalogPassword()));
  }

  private record Run(int code, String err) {}

  private Run run(Path project, String... args) {
    SparkSession.setActiveSession(sessionOf(project));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = Stream.concat(Stream.of("--project", project.toString()), Stream.of(args)).toArray(String[]::new);
    int code = BatchJob.run(all, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }

}
