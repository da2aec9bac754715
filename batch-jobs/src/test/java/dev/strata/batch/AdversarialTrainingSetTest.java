package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle.TrainingRow;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated data made to break point-in-time joins: event times on a coarse grid so that events
 * fall exactly on spine times, hop boundaries and window starts; the file in shuffled (late,
 * out-of-order) order; NULL keys, NULL inputs and NULL filter results; spine keys with no
 * events (empty windows); one key holding about 70% of the events; two groups on the same key
 * with different filters (swept together, each event counting only in the groups whose filter
 * it passes). Every spine row is checked against the oracle.
 */
class AdversarialTrainingSetTest {
  static final String DEFINITIONS = """
      entities:
        user: { keys: { user: string } }
        pair: { keys: { user: string, n: bigint } }
      sources:
        clicks:
          type: events
          timestamp: ts
          schema: { ts: timestamp, user: string, amount: double, n: bigint, tag: string }
          batch: { path: data/clicks.csv }
        probes:
          type: events
          timestamp: ts
          schema: { ts: timestamp, user: string, n: bigint }
          batch: { path: data/probes.csv }
      feature_groups:
        user_clicks:
          entity: user
          source: clicks
          keys: { user: user }
          filter: "amount IS NULL OR amount > -50"
          aggregations:
            - { name: clicks, function: count, windows: [1h, 1d, 7d, lifetime] }
            - { name: amount_sum, function: sum, input: amount, windows: [1h, 1d] }
            - { name: amount_avg, function: avg, input: amount, windows: [2h, 7d], hop: 30m }
            - { name: amount_min, function: min, input: amount, windows: [1d] }
            - { name: amount_max, function: max, input: amount, windows: [3d] }
            - { name: amount_var, function: variance, input: amount, windows: [1d] }
            - { name: last_tags, function: last_k, args: [3], input: tag, windows: [1d] }
            - { name: first_n, function: first, input: n, windows: [7d] }
            - { name: tags, function: count_distinct, input: tag, windows: [7d] }
            - { name: approx_tags, function: approx_count_distinct, input: tag, windows: [7d] }
            - { name: p50, function: approx_percentile, args: [0.5], input: amount, windows: [1d] }
        big_clicks:
          entity: user
          source: clicks
          keys: { user: user }
          filter: "amount > 20"
          aggregations:
            - { name: clicks, function: count, windows: [1h, 1d, lifetime] }
            - { name: amount_max, function: max, input: amount, windows: [7d] }
            - { name: amount_avg, function: avg, input: amount, windows: [2h], hop: 30m }
        pair_clicks:
          entity: pair
          source: clicks
          keys: { user: user, n: n }
          aggregations:
            - { name: clicks, function: count, windows: [30m, 1d] }
            - { name: amount_sum, function: sum, input: "amount * 2", windows: [1d] }
      feature_services:
        clicks_v1:
          features: [user_clicks.*, pair_clicks.*, big_clicks.*]
          derived:
            - { name: ratio, expr: "user_clicks.amount_sum_1h / NULLIF(user_clicks.amount_sum_1d, 0)" }
            - { name: busy, expr: "user_clicks.clicks_1d > 10" }
      training_sets:
        probe_set:
          service: clicks_v1
          spine: { source: probes, keys: { user: user, pair: [user, n] }, label: "n > 2" }
        self_set:
          service: clicks_v1
          spine: { source: clicks, keys: { user: user, pair: [user, n] }, label: "amount > 0" }
      """;

  static final long START = Durations.parseInstant("2024-03-01");

  @TempDir
  static Path project;
  @TempDir
  static Path warehouse;

  static List<String> clickLines = new ArrayList<>();
  static List<String> probeLines = new ArrayList<>();

  @BeforeAll
  static void generate() throws IOException {
    Files.writeString(project.resolve("features.yaml"), DEFINITIONS);
    Files.createDirectories(project.resolve("data"));
    Random r = new Random(7);
    String[] users = {"u1", "u2", "u3", "u4", ""};
    for (int i = 0; i < 3000; i++) {
      // Times on a 30-minute grid (exact window edges), a few with odd microseconds.
      long t = START + (long) r.nextInt(14 * 48) * 30 * Durations.MINUTE + (r.nextInt(10) == 0 ? r.nextInt(1000) : 0);
      String user = r.nextInt(10) < 7 ? "hot" : users[r.nextInt(users.length)];
      String amount = r.nextInt(8) == 0 ? "" : Double.toString(Math.round(r.nextGaussian() * 400) / 8.0);
      String n = r.nextInt(6) == 0 ? "" : Integer.toString(r.nextInt(4));
      String tag = r.nextInt(5) == 0 ? "" : "t" + r.nextInt(12);
      clickLines.add(Durations.formatInstant(t) + "," + user + "," + amount + "," + n + "," + tag);
    }
    Collections.shuffle(clickLines, r);
    write(project.resolve("data/clicks.csv"), "ts,user,amount,n,tag", clickLines);
    String[] probeUsers = {"hot", "u1", "u2", "nobody", ""};
    for (int i = 0; i < 400; i++) {
      long t = r.nextBoolean()
          ? START + (long) r.nextInt(16 * 48) * 30 * Durations.MINUTE
          : START - Durations.DAY + (long) (r.nextDouble() * 17 * Durations.DAY);
      probeLines.add(Durations.formatInstant(t) + "," + probeUsers[r.nextInt(probeUsers.length)] + ","
          + (r.nextInt(5) == 0 ? "" : Integer.toString(r.nextInt(4))));
    }
    write(project.resolve("data/probes.csv"), "ts,user,n", probeLines);
  }

  private static void write(Path file, String header, List<String> lines) throws IOException {
    List<String> all = new ArrayList<>();
    all.add(header);
    all.addAll(lines);
    Files.write(file, all);
  }

  @Test
  void probeSpineEqualsTheOracle() {
    check("probe_set", "probes", "data/probes.csv");
  }

  @Test
  void eventsAsTheirOwnSpineEqualTheOracle() {
    check("self_set", "clicks", "data/clicks.csv");
  }

  private void check(String trainingSet, String spineSource, String spineFile) {
    CompiledPlan plan = ProjectSnapshot.compile(project);
    var clicksSchema = plan.source("clicks").orElseThrow().schema();
    var spineSchema = plan.source(spineSource).orElseThrow().schema();
    List<Object[]> events = FlightsSample.readCsv(project.resolve("data/clicks.csv"), clicksSchema);
    List<Object[]> spine = FlightsSample.readCsv(project.resolve(spineFile), spineSchema);
    JobContext ctx = SparkTestSession.context(project, warehouse);
    List<Row> rows = new TrainingSetJob(ctx).compute(trainingSet, null).collectAsList();
    assertThat(rows).hasSize(spine.size());
    List<TrainingRow> expected = new Oracle(plan).trainingSet(trainingSet, Map.of("clicks", events), spine);
    TrainingSetAssert.assertMatches(plan, trainingSet, rows, spine, expected, spineSchema);
  }
}
