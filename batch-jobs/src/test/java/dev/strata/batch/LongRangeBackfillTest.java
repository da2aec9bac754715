package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.time.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill over 36 years of days (13,149 day partitions per table) of a small generated
 * source: many keys, one hot key, keys silent for decades between their first and last year,
 * a key whose only events are before 1970, events exactly at midnight (a day end, excluded from
 * that day's values), duplicate times and NULL inputs, with a lifetime window beside short ones.
 * Every tile equals GroupTiler's; the snapshot rows of sampled days (around events, across 1970,
 * inside the gaps, the last day) equal the oracle; every key has a row on every day after its
 * first event (the lifetime window keeps it active); and each day partition is one data file
 * (the write is clustered by day: no task opens a second file for a day, none holds thousands).
 */
class LongRangeBackfillTest {
  static final String DEFINITIONS = """
      entities:
        station: { keys: { station: string } }
      sources:
        readings:
          type: events
          timestamp: ts
          schema: { ts: timestamp, station: string, value: double }
          batch: { path: data/readings.csv }
      feature_groups:
        station_stats:
          entity: station
          source: readings
          keys: { station: station }
          aggregations:
            - { name: readings, function: count, windows: [1d, lifetime] }
            - { name: total, function: sum, input: value, windows: [7d, lifetime] }
            - { name: peak, function: max, input: value, windows: [lifetime] }
            - { name: mean, function: avg, input: value, windows: [1d] }
      """;
  static final LocalDate FROM = LocalDate.parse("1960-01-01");
  static final LocalDate TO = LocalDate.parse("1995-12-31");
  static final String GROUP = "station_stats";

  @TempDir
  static Path project;
  @TempDir
  static Path warehouse;

  static List<Object[]> events;
  static CompiledPlan plan;

  @BeforeAll
  static void generate() throws IOException {
    Files.writeString(project.resolve("features.yaml"), DEFINITIONS);
    Files.createDirectories(project.resolve("data"));
    Random r = new Random(1960);
    long start = Durations.parseInstant(FROM.toString());
    long end = Durations.parseInstant(TO.plusDays(1).toString());
    long year = 365 * Durations.DAY;
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      int k = r.nextInt(10) < 3 ? 0 : 1 + r.nextInt(39);
      long t;
      if (k % 8 == 7) {
        // silent for decades: the first and the last year only
        t = r.nextBoolean() ? start + (long) (r.nextDouble() * year) : end - 1 - (long) (r.nextDouble() * year);
      } else {
        t = start + (long) (r.nextDouble() * (end - start));
      }
      t -= Math.floorMod(t, 1_000_000L); // whole seconds
      if (r.nextInt(20) == 0) {
        t = Durations.floor(t, Durations.DAY); // exactly a day end
      }
      String value = r.nextInt(15) == 0 ? "" : Double.toString(Math.round(r.nextGaussian() * 400) / 8.0);
      lines.add(Durations.formatInstant(t) + ",s" + k + "," + value);
      if (r.nextInt(50) == 0) {
        lines.add(Durations.formatInstant(t) + ",s" + k + ",1.5"); // the same instant twice
      }
    }
    // a station whose only events are before 1970: a lifetime value for 26 more years
    lines.add("1961-03-04T05:06:07Z,old,2.0");
    lines.add("1969-12-31T23:59:59Z,old,-1.0");
    Collections.shuffle(lines, r);
    lines.add(0, "ts,station,value");
    Files.write(project.resolve("data/readings.csv"), lines);
    plan = ProjectSnapshot.compile(project);
    events = FlightsSample.readCsv(project.resolve("data/readings.csv"), plan.source("readings").orElseThrow().schema());
  }

  @Test
  void backfillOverDecadesEqualsTheOracle() {
    JobContext base = SparkTestSession.context(project, warehouse);
    String catalog = "decades_" + java.util.UUID.randomUUID().toString().substring(0, 8);
    StrataSpark.registerCatalog(base.spark(), base.config(), catalog);
    JobContext ctx = new JobContext(base.spark(), base.config(), base.planRef(), catalog, Progress.silent());
    BackfillJob.Result result = new BackfillJob(ctx).run(GROUP, FROM, TO);
    GroupTiler tiler = GroupTiler.of(plan, GROUP);
    CompiledGroup g = plan.group(GROUP).orElseThrow();
    long from = Durations.parseInstant(FROM.toString());
    long toEnd = Durations.parseInstant(TO.plusDays(1).toString());

    // Every tile: exactly what GroupTiler builds from the events.
    Map<String, Object[]> expected = new HashMap<>();
    Map<String, Long> firstEvent = new HashMap<>();
    for (Object[] row : events) {
      List<Object> key = tiler.keyOf(row);
      long t = tiler.eventTime(row);
      firstEvent.merge((String) key.get(0), t, Math::min);
      for (int s = 0; s < tiler.specCount(); s++) {
        int spec = s;
        expected.compute(key.get(0) + "/" + tiler.hop(s) + "/" + tiler.tileStart(s, t), (k, irs) -> tiler.update(spec, irs, row));
      }
    }
    Map<String, String> want = new HashMap<>();
    expected.forEach((k, irs) -> want.put(k, HexFormat.of().formatHex(
        tiler.aggregator(tiler.geometry().specOfHop(Long.parseLong(k.split("/")[1]))).encode(irs))));
    Map<String, String> got = new HashMap<>();
    for (Row r : ctx.spark().table(ctx.table(GROUP + "__tiles")).collectAsList()) {
      got.put(r.getString(0) + "/" + r.getLong(r.fieldIndex("hop")) + "/" + SparkTestSession.field(r, "tile_start"),
          HexFormat.of().formatHex((byte[]) r.get(r.fieldIndex("tile"))));
    }
    assertThat(got).hasSameSizeAs(want).isEqualTo(want);
    assertThat(result.tiles()).isEqualTo(want.size());

    // A row per key and day end after the key's first event: the lifetime window keeps it active.
    long rows = 0;
    for (long first : firstEvent.values()) {
      rows += (toEnd - Math.max(from, Durations.floor(first, Durations.DAY))) / Durations.DAY;
    }
    assertThat(result.snapshotRows()).isEqualTo(rows);
    assertThat(ctx.spark().table(ctx.table(GROUP)).count()).isEqualTo(rows);

    // Sampled days: around events, across 1970, inside the gaps, the first and the last day.
    TreeSet<LocalDate> days = new TreeSet<>(List.of(FROM, LocalDate.parse("1969-12-31"), LocalDate.parse("1970-01-01"),
        LocalDate.parse("1978-06-15"), LocalDate.parse("1990-02-28"), TO));
    Random r = new Random(7);
    for (int i = 0; i < 12; i++) {
      LocalDate d = LocalDate.ofInstant(Durations.toInstant(tiler.eventTime(events.get(r.nextInt(events.size())))), ZoneOffset.UTC);
      days.add(d);
      days.add(d.plusDays(1).isAfter(TO) ? d : d.plusDays(1));
    }
    String list = String.join(", ", days.stream().map(d -> "DATE '" + d + "'").toList());
    List<Row> sample = ctx.spark().table(ctx.table(GROUP)).where("day IN (" + list + ")").collectAsList();
    Oracle oracle = new Oracle(plan);
    int checked = 0;
    for (LocalDate day : days) {
      long dayEnd = Durations.parseInstant(day.plusDays(1).toString());
      long active = firstEvent.values().stream().filter(first -> first < dayEnd).count();
      List<Row> ofDay = sample.stream().filter(x -> x.get(x.fieldIndex("day")).toString().equals(day.toString())).toList();
      assertThat(ofDay).as("rows on %s", day).hasSize((int) active);
      for (Row x : ofDay) {
        assertThat(SparkTestSession.field(x, "as_of")).isEqualTo(dayEnd);
        Map<String, Object> values = oracle.groupFeatures(GROUP, events, List.of(x.getString(0)), dayEnd);
        for (CompiledFeature f : g.features()) {
          assertThat(SparkTestSession.field(x, f.name())).as("%s of %s on %s", f.name(), x.getString(0), day)
              .isEqualTo(values.get(f.name()));
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(2_000);
    assertThat(sample.stream().anyMatch(x -> x.getString(0).equals("old") && x.get(x.fieldIndex("day")).toString().equals(TO.toString())))
        .as("the pre-1970 station still has its lifetime values on the last day").isTrue();

    // One data file per day partition: the rows of a day were written by one task, in one file.
    for (String table : List.of(ctx.table(GROUP), ctx.table(GROUP + "__tiles"))) {
      Row files = ctx.spark().sql("SELECT count(*), count(DISTINCT partition) FROM " + table + ".files").first();
      assertThat(files.getLong(0)).as("data files of %s", table).isEqualTo(files.getLong(1));
    }
  }
}
