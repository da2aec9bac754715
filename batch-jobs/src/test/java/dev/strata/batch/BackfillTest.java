package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.time.Durations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill of the flights example into Iceberg, on the embedded SQLite catalog and on the real
 * PostgreSQL server (a fresh database per test, dropped after): tile bytes equal GroupTiler's,
 * snapshot values equal the oracle as of day ends, a rerun replaces its range (no duplicates)
 * and leaves other days alone.
 */
class BackfillTest {
  static final LocalDate FROM = LocalDate.parse("2001-01-08");
  static final LocalDate TO = LocalDate.parse("2001-01-10");

  @TempDir
  Path warehouse;

  @Test
  void backfillOnSqlite() {
    JobContext ctx = SparkTestSession.context(FlightsSample.exampleDir(), warehouse);
    // Each test's catalog lives in its own warehouse: register it under its own name.
    String name = "sqlite_" + UUID.randomUUID().toString().substring(0, 8);
    StrataSpark.registerCatalog(ctx.spark(), ctx.config(), name);
    check(new JobContext(ctx.spark(), ctx.config(), ctx.planRef(), name, Progress.silent()));
  }

  /** A warehouse given as a URI (as s3://… would be) is handed to Iceberg as it is: the tables land under it. */
  @Test
  void backfillIntoAUriWarehouse() throws Exception {
    Path lake = warehouse.resolve("lake");
    StrataConfig config = StrataConfig.load(FlightsSample.exampleDir(), Map.of(
        "STRATA_WAREHOUSE", lake.toUri().toString(),
        "STRATA_CATALOG_URI", "jdbc:sqlite:" + warehouse.resolve("catalog.db")));
    assertThat(config.warehouseIsUri()).isTrue();
    String name = "uri_" + UUID.randomUUID().toString().substring(0, 8);
    StrataSpark.registerCatalog(SparkTestSession.get(), config, name);
    check(new JobContext(SparkTestSession.get(), config, ProjectSnapshot.read(FlightsSample.exampleDir()), name, Progress.silent()));
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(lake)) {
      assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isPositive();
    }
  }

  @Test
  void backfillOnPostgres() throws Exception {
    String db = "strata_batch_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "")) {
      c.createStatement().execute("CREATE DATABASE " + db);
    }
    try {
      StrataConfig config = StrataConfig.load(FlightsSample.exampleDir(), Map.of(
          "STRATA_WAREHOUSE", warehouse.toString(),
          "STRATA_CATALOG_URI", "jdbc:postgresql://127.0.0.1:5432/" + db,
          "STRATA_CATALOG_USER", "postgres"));
      String name = "pg_" + db;
      StrataSpark.registerCatalog(SparkTestSession.get(), config, name);
      check(new JobContext(SparkTestSession.get(), config, ProjectSnapshot.read(FlightsSample.exampleDir()), name, Progress.silent()));
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "")) {
        var rs = c.createStatement().executeQuery("SELECT count(*) FROM iceberg_tables");
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(2);
      }
    } finally {
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "")) {
        c.createStatement().execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    }
  }

  private void check(JobContext ctx) {
    CompiledPlan plan = ctx.plan();
    String group = "origin_delays";
    CompiledGroup g = plan.group(group).orElseThrow();
    BackfillJob job = new BackfillJob(ctx);
    BackfillJob.Result first = job.run(group, FROM, TO);
    assertThat(first.tiles()).isPositive();
    assertThat(first.snapshotRows()).isPositive();

    // A rerun of an overlapping range: the same rows for the first range, no duplicates.
    job.run(group, TO, TO);
    BackfillJob.Result again = job.run(group, FROM, TO);
    assertThat(again.tiles()).isEqualTo(first.tiles());
    assertThat(again.snapshotRows()).isEqualTo(first.snapshotRows());
    assertThat(ctx.spark().table(ctx.table(group + "__tiles")).count()).isEqualTo(first.tiles());
    assertThat(ctx.spark().table(ctx.table(group)).count()).isEqualTo(first.snapshotRows());
    assertThat(ctx.spark().sql("SELECT * FROM " + ctx.table(group) + ".snapshots").count()).isGreaterThanOrEqualTo(3);

    // Tile bytes: exactly what GroupTiler builds from the events of the range.
    List<Object[]> events = FlightsSample.events();
    long from = Durations.parseInstant(FROM.toString());
    long to = Durations.parseInstant(TO.plusDays(1).toString());
    GroupTiler tiler = GroupTiler.of(plan, group);
    Map<String, Object[]> expected = new HashMap<>();
    for (Object[] row : events) {
      List<Object> key = tiler.keyOf(row);
      if (key == null || tiler.eventTime(row) < from || tiler.eventTime(row) >= to) {
        continue;
      }
      for (int s = 0; s < tiler.specCount(); s++) {
        int spec = s;
        expected.compute(key + "/" + tiler.hop(s) + "/" + tiler.tileStart(s, tiler.eventTime(row)),
            (k, irs) -> tiler.update(spec, irs, row));
      }
    }
    Map<String, String> got = new HashMap<>();
    for (Row r : ctx.spark().table(ctx.table(group + "__tiles")).collectAsList()) {
      assertThat(r.getString(r.fieldIndex("group_version"))).isEqualTo(g.version());
      long hop = r.getLong(r.fieldIndex("hop"));
      got.put(List.of(r.getString(0)) + "/" + hop + "/" + SparkTestSession.field(r, "tile_start"),
          HexFormat.of().formatHex((byte[]) r.get(r.fieldIndex("tile"))));
    }
    Map<String, String> want = new HashMap<>();
    expected.forEach((k, irs) -> {
      long hop = Long.parseLong(k.split("/")[1]);
      int spec = 0;
      while (tiler.hop(spec) != hop) {
        spec++;
      }
      want.put(k, HexFormat.of().formatHex(tiler.aggregator(spec).encode(irs)));
    });
    assertThat(got).isEqualTo(want);

    // Snapshots: each row equals the oracle as of its day end; a sample of rows is checked.
    Oracle oracle = new Oracle(plan);
    List<Row> snapshot = ctx.spark().table(ctx.table(group)).orderBy("airport", "day").collectAsList();
    int checked = 0;
    for (int i = 0; i < snapshot.size(); i += 7) {
      Row r = snapshot.get(i);
      long asOf = (Long) SparkTestSession.field(r, "as_of");
      assertThat(r.get(r.fieldIndex("day")).toString()).isEqualTo(
          LocalDate.ofInstant(Durations.toInstant(asOf - Durations.DAY), java.time.ZoneOffset.UTC).toString());
      Map<String, Object> want2 = oracle.groupFeatures(group, events, List.of(r.getString(0)), asOf);
      for (CompiledFeature f : g.features()) {
        assertThat(SparkTestSession.field(r, f.name())).as("%s %s %s", f.name(), r.getString(0), r.get(r.fieldIndex("day")))
            .isEqualTo(want2.get(f.name()));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(100);
    // Every key with an event in the largest window before a day end has a row that day.
    for (LocalDate d = FROM; !d.isAfter(TO); d = d.plusDays(1)) {
      long end = Durations.parseInstant(d.plusDays(1).toString());
      long windowStart = end - g.maxWindow().micros();
      long keys = events.stream().filter(e -> tiler.keyOf(e) != null && tiler.eventTime(e) >= windowStart && tiler.eventTime(e) < end)
          .map(tiler::keyOf).distinct().count();
      LocalDate day = d;
      assertThat(snapshot.stream().filter(r -> r.get(r.fieldIndex("day")).toString().equals(day.toString())).count())
          .as("keys on %s", d).isEqualTo(keys);
    }
    assertThat(Arrays.asList(ctx.spark().table(ctx.table(group)).columns())).startsWith("airport", "day", "as_of");
  }
}
