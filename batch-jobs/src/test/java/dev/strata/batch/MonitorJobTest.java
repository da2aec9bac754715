package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledMonitor;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.types.DataType;
import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.profile.ColumnProfile;
import dev.strata.monitoring.profile.ColumnProfileBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor job on the flights example through the command line: backfill January to March,
 * then monitor January (the reference) against March. The drift table's values equal the
 * monitoring core's on the same snapshot columns read independently, a rerun replaces its
 * slices, and the report names every feature. The daily profiles rolled up into a week equal
 * the week's profile computed from the snapshot rows, in exact and in sketch mode. One project and one backfill for the class: the
 * command line registers the catalog under the fixed name "strata", which a session loads once
 * (another test's may already be loaded there), so the class runs in its own session of the
 * shared Spark context, made the thread's active session for the command line to pick up.
 */
class MonitorJobTest {
  static final String MONITOR = "delay_model_health";
  static final String DRIFT_TABLE = "strata.`strata`.`monitoring_drift`";
  static final String PROFILE_TABLE = "strata.`strata`.`monitoring_profiles`";

  @TempDir
  static Path project;

  static SparkSession spark;

  @BeforeAll
  static void backfill() throws IOException {
    spark = SparkTestSession.get().newSession();
    SparkSession.setActiveSession(spark);
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
    Run r = run("backfill", "--all", "--from", "2001-01-01", "--to", "2001-03-31");
    assertThat(r.code()).as(r.err()).isZero();
  }

  @AfterAll
  static void restoreSession() {
    SparkSession.setActiveSession(SparkTestSession.get());
  }

  private record Run(int code, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = Stream.concat(Stream.of("--project", project.toString()), Stream.of(args)).toArray(String[]::new);
    int code = BatchJob.run(all, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void januaryAgainstMarch() throws IOException {
    Path html = project.resolve("report.html");
    Path json = project.resolve("report.json");
    Path prom = project.resolve("strata.prom");
    // a real HTTP receiver for the webhook
    com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
    hook.createContext("/drift", x -> {
      posted.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    hook.start();
    Run r;
    try {
      r = run("monitor", MONITOR, "--from", "2001-03-01", "--to", "2001-03-31", "--report", html.toString(),
          "--json", json.toString(), "--fail-on-drift", "--prometheus", prom.toString(),
          "--webhook", "http://127.0.0.1:" + hook.getAddress().getPort() + "/drift");
    } finally {
      hook.stop(0);
    }
    assertThat(r.code()).as(r.err()).isIn(0, BatchJob.EXIT_DRIFT);

    CompiledPlan plan = ProjectSnapshot.compile(project);
    CompiledMonitor m = plan.monitor(MONITOR).orElseThrow();
    List<ServiceFeature> features = plan.service(m.service()).orElseThrow().features().stream()
        .filter(f -> f.type() instanceof DataType.Primitive).toList();
    LocalDate march1 = LocalDate.parse("2001-03-01");
    LocalDate march31 = LocalDate.parse("2001-03-31");
    var whole = spark.table(DRIFT_TABLE).where(functions.col("monitor").equalTo(MONITOR)
        .and(functions.col("slice_start").equalTo(functions.lit(march1)))
        .and(functions.col("slice_end").equalTo(functions.lit(march31))));
    List<Row> rows = whole.collectAsList();

    // Values: the core's exact drift on the snapshot columns of January and March, read here.
    ExactDrift core = new ExactDrift(Thresholds.forMonitor(m));
    boolean anyDrift = false;
    int checked = 0;
    Map<String, List<Row>> jans = new HashMap<>();
    Map<String, List<Row>> mars = new HashMap<>();
    for (ServiceFeature f : features) {
      List<Row> jan = jans.computeIfAbsent(f.group(), g -> days(g, "2001-01-01", "2001-01-31"));
      List<Row> mar = mars.computeIfAbsent(f.group(), g -> days(g, "2001-03-01", "2001-03-31"));
      FeatureDrift want = core.numeric(f.qualifiedName(), column(jan, f.feature()), column(mar, f.feature()));
      anyDrift |= want.status() == dev.strata.monitoring.drift.Status.DRIFT;
      Map<String, Row> got = new HashMap<>();
      rows.stream().filter(x -> x.getString(x.fieldIndex("feature")).equals(f.qualifiedName()))
          .forEach(x -> got.put(x.getString(x.fieldIndex("metric")), x));
      assertThat(got).as(f.qualifiedName()).containsKeys("psi", "ks", "ks_pvalue", "js_distance", "wasserstein",
          "wasserstein_normed", "null_rate_change");
      // the monitor lists neither null_rate nor out_of_range: only the null-rate change is always kept
      assertThat(got).doesNotContainKeys("out_of_range", "reference_null_rate");
      for (Map.Entry<String, Row> e : got.entrySet()) {
        Row x = e.getValue();
        double w = want.metric(e.getKey());
        if (Double.isNaN(w)) {
          assertThat(x.isNullAt(x.fieldIndex("value"))).as("%s %s", f.qualifiedName(), e.getKey()).isTrue();
        } else {
          assertThat(x.getDouble(x.fieldIndex("value"))).as("%s %s", f.qualifiedName(), e.getKey())
              .isCloseTo(w, within(1e-12 * Math.max(1, Math.abs(w))));
        }
        assertThat(x.getString(x.fieldIndex("status"))).isEqualTo(want.status().label());
        assertThat(x.getString(x.fieldIndex("mode"))).isEqualTo("exact");
        checked++;
      }
    }
    assertThat(checked).isEqualTo(rows.size());

    // Prometheus gauges: one value per metric row of the table (same number), one status per feature
    String gauges = Files.readString(prom);
    java.util.regex.Pattern sample = java.util.regex.Pattern.compile(
        "strata_drift_value\\{feature=\"([^\"]+)\",metric=\"([^\"]+)\",monitor=\"" + MONITOR + "\"\\} (\\S+)");
    int gaugeValues = 0;
    for (String line : gauges.split("\n")) {
      java.util.regex.Matcher g = sample.matcher(line);
      if (g.matches()) {
        gaugeValues++;
        Row x = rows.stream().filter(y -> y.getString(y.fieldIndex("feature")).equals(g.group(1))
            && y.getString(y.fieldIndex("metric")).equals(g.group(2))).findFirst().orElse(null);
        if (x != null) {
          assertThat(Double.parseDouble(g.group(3))).as(line).isEqualTo(x.getDouble(x.fieldIndex("value")));
        }
      }
    }
    assertThat(gaugeValues).isGreaterThanOrEqualTo((int) rows.stream().filter(x -> !x.isNullAt(x.fieldIndex("value"))).count());
    assertThat(gauges.lines().filter(l -> l.startsWith("strata_drift_status{")).count()).isEqualTo(features.size());

    // the webhook got one summary exactly when something drifted, naming the drifting features
    assertThat(posted).hasSize(anyDrift ? 1 : 0);
    if (anyDrift) {
      JsonNode body = new ObjectMapper().readTree(posted.get(0));
      assertThat(body.get("monitor").asText()).isEqualTo(MONITOR);
      assertThat(body.get("slice").asText()).isEqualTo("2001-03-01 \u2026 2001-03-31");
      assertThat(body.get("features")).isNotEmpty();
      body.get("features").forEach(f -> assertThat(f.get("status").asText()).isEqualTo("drift"));
    }
    assertThat(rows.stream().map(x -> x.getString(x.fieldIndex("feature"))).distinct().count()).isEqualTo(features.size());
    assertThat(r.code()).isEqualTo(anyDrift ? BatchJob.EXIT_DRIFT : 0);

    // Drift over time: the whole of March and each of its days (every: 1d).
    long total = spark.table(DRIFT_TABLE).count();
    assertThat(spark.table(DRIFT_TABLE).select("slice_start", "slice_end").distinct().count()).isEqualTo(32);
    assertThat(spark.table(DRIFT_TABLE).select("slice_start", "slice_end", "feature").distinct().count())
        .isEqualTo(32L * features.size());

    // Profiles: one per feature and day of January (reference) and March (current), from exact mode's arrays.
    assertThat(profiles().count()).isEqualTo((31L + 31L) * features.size());
    assertThat(profiles().select("feature").distinct().collectAsList()).extracting(x -> x.getString(0))
        .containsExactlyInAnyOrderElementsOf(features.stream().map(ServiceFeature::qualifiedName).toList());
    assertWeekRollsUp(features, "2001-03-05", "2001-03-11");
    assertDayEqualsSql(features, "2001-03-14");

    // Report and JSON: every feature, the current slice's statuses.
    String page = Files.readString(html);
    features.forEach(f -> assertThat(page).contains(f.qualifiedName()));
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertThat(doc.get("features")).hasSize(features.size());
    assertThat(doc.get("timeline")).hasSize(31);
    assertThat(doc.get("status").asText()).isEqualTo(anyDrift ? "drift" : anyWarn(rows) ? "warn" : "ok");

    // A rerun replaces its slices; the default slice (the latest day) replaces only its own.
    Run again = run("monitor", MONITOR, "--from", "2001-03-01", "--to", "2001-03-31");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(spark.table(DRIFT_TABLE).count()).isEqualTo(total);
    assertThat(spark.table(DRIFT_TABLE).select("computed_at").distinct().count()).isEqualTo(1);
    assertThat(profiles().count()).isEqualTo((31L + 31L) * features.size());
    assertThat(profiles().select("computed_at").distinct().count()).isEqualTo(1);
    if (anyDrift) {
      // an undeliverable webhook: one sentence, exit 1, the results kept
      int closed;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        closed = s.getLocalPort();
      }
      Run failing = run("monitor", MONITOR, "--from", "2001-03-01", "--to", "2001-03-31",
          "--webhook", "http://127.0.0.1:" + closed + "/drift");
      assertThat(failing.code()).isEqualTo(1);
      assertThat(failing.err().strip()).startsWith("Cannot deliver the drift webhook: the webhook http://127.0.0.1:" + closed
          + "/drift was not reached (").endsWith("(the results are in strata.`strata`.`monitoring_drift`).").doesNotContain("\n");
      assertThat(spark.table(DRIFT_TABLE).count()).isEqualTo(total);
    }
    Run latest = run("monitor", MONITOR);
    assertThat(latest.code()).as(latest.err()).isZero();
    assertThat(spark.table(DRIFT_TABLE).count()).isEqualTo(total);
    assertThat(spark.table(DRIFT_TABLE).select("computed_at").distinct().count()).isEqualTo(2);

    // More values than the exact limit: the same drift from sketches, KS within the stated bound.
    Path sketched = project.resolve("sketch.json");
    Run sketch = run("monitor", MONITOR, "--from", "2001-02-01", "--to", "2001-02-07", "--max-exact-values", "10",
        "--json", sketched.toString());
    assertThat(sketch.code()).as(sketch.err()).isZero();
    JsonNode sdoc = new ObjectMapper().readTree(sketched.toFile());
    assertThat(sdoc.get("features")).hasSize(features.size());
    assertThat(sdoc.get("timeline")).hasSize(7);
    ExactDrift exact = new ExactDrift(Thresholds.forMonitor(m));
    for (ServiceFeature f : features) {
      JsonNode got = null;
      for (JsonNode n : sdoc.get("features")) {
        got = n.get("feature").asText().equals(f.qualifiedName()) ? n : got;
      }
      assertThat(got).as(f.qualifiedName()).isNotNull();
      assertThat(got.get("mode").asText()).isEqualTo("sketch");
      FeatureDrift want = exact.numeric(f.qualifiedName(), column(jans.get(f.group()), f.feature()),
          column(days(f.group(), "2001-02-01", "2001-02-07"), f.feature()));
      assertThat(got.get("current_count").asLong()).isEqualTo(want.currentCount());
      assertThat(got.get("current_nulls").asLong()).isEqualTo(want.currentNulls());
      if (!Double.isNaN(want.metric("ks"))) {
        assertThat(got.get("metrics").get("ks").asDouble()).as("%s ks", f.qualifiedName())
            .isCloseTo(want.metric("ks"), within(got.get("error_bound").asDouble() + 1e-12));
      }
    }
    assertThat(spark.table(DRIFT_TABLE).where(functions.col("slice_start").equalTo(functions.lit(LocalDate.parse("2001-02-01")))
        .and(functions.col("mode").notEqual("sketch"))).count()).isZero();

    // Profiles from sketch mode's partitions: February's first week added, January's days replaced.
    assertThat(profiles().count()).isEqualTo((31L + 31L + 7L) * features.size());
    assertWeekRollsUp(features, "2001-02-01", "2001-02-07");
    assertDayEqualsSql(features, "2001-02-03");
  }

  private static org.apache.spark.sql.Dataset<Row> profiles() {
    return spark.table(PROFILE_TABLE).where(functions.col("monitor").equalTo(MONITOR));
  }

  /**
   * The stored daily profiles of [from, to] merged by ProfileTable.rollUp equal the profile of
   * the snapshot rows of the whole range built directly: count, nulls, min and max exactly,
   * mean to 1e-12 and stddev to 1e-9 (relative, absolute below 1), and each KLL quantile of the
   * rollup has a true rank in the range's values within the sketch's normalized rank error.
   */
  private static void assertWeekRollsUp(List<ServiceFeature> features, String from, String to) {
    LocalDate start = LocalDate.parse(from);
    LocalDate end = LocalDate.parse(to);
    Map<String, ProfileTable.Rollup> rollups = ProfileTable.rollUp(spark, PROFILE_TABLE, MONITOR, start, end);
    assertThat(rollups).hasSize(features.size());
    Map<String, List<Row>> weeks = new HashMap<>();
    for (ServiceFeature f : features) {
      String name = f.qualifiedName();
      ProfileTable.Rollup r = rollups.get(name);
      assertThat(r).as(name).isNotNull();
      assertThat(r.days()).as(name).hasSize(7);
      assertThat(r.complete()).isTrue();
      ColumnProfile got = r.profile();
      double[] values = column(weeks.computeIfAbsent(f.group(), g -> days(g, from, to)), f.feature());
      ColumnProfileBuilder direct = ColumnProfile.numeric(name);
      for (double v : values) {
        direct.add(v);
      }
      ColumnProfile want = direct.build();
      assertThat(want.nonNull()).as("%s has values in %s … %s", name, from, to).isPositive();
      assertThat(got.count()).as(name).isEqualTo(want.count()).isEqualTo(values.length);
      assertThat(got.nulls()).as(name).isEqualTo(want.nulls());
      assertThat(got.min()).as(name).isEqualTo(want.min());
      assertThat(got.max()).as(name).isEqualTo(want.max());
      assertThat(got.mean()).as(name).isCloseTo(want.mean(), within(1e-12 * Math.max(1, Math.abs(want.mean()))));
      if (want.nonNull() > 1) {
        assertThat(got.stddev()).as(name).isCloseTo(want.stddev(), within(1e-9 * Math.max(1, want.stddev())));
      }
      var sketch = got.quantileSketch();
      assertThat(sketch.getN()).as(name).isEqualTo(want.nonNull());
      // 0 while the sketch still holds every value: then its quantiles are exact
      double eps = sketch.isEstimationMode() ? sketch.getNormalizedRankError(false) : 0;
      double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
      for (double rank : new double[] {0.1, 0.5, 0.9, 0.99}) {
        double q = got.quantile(rank);
        // the true rank of q is an interval where values repeat: [#(< q), #(≤ q)] / n
        double below = Arrays.stream(sorted).filter(v -> v < q).count() / (double) sorted.length;
        double upTo = Arrays.stream(sorted).filter(v -> v <= q).count() / (double) sorted.length;
        assertThat(rank).as("%s quantile %s = %s, true rank [%s, %s], eps %s", name, rank, q, below, upTo, eps)
            .isBetween(below - eps - 1e-12, upTo + eps + 1e-12);
      }
    }
    // the one-feature helper merges the same rows (KLL compaction is randomized: compare the exact parts)
    ServiceFeature first = features.get(0);
    ColumnProfile one = ProfileTable.rollUp(spark, PROFILE_TABLE, MONITOR, first.qualifiedName(), start, end).orElseThrow().profile();
    ColumnProfile all = rollups.get(first.qualifiedName()).profile();
    assertThat(List.of(one.count(), one.nulls(), one.min(), one.max(), one.mean(), one.stddev()))
        .isEqualTo(List.of(all.count(), all.nulls(), all.min(), all.max(), all.mean(), all.stddev()));
    assertThat(ProfileTable.rollUp(spark, PROFILE_TABLE, MONITOR, first.qualifiedName(), start.minusYears(1), end.minusYears(1)))
        .isEmpty();
  }

  /** The table's row of each feature on {@code day}: count, nulls, min and max as plain Spark SQL finds them. */
  private static void assertDayEqualsSql(List<ServiceFeature> features, String day) {
    Map<String, Row> stored = new HashMap<>();
    profiles().where(functions.col("day").equalTo(functions.lit(LocalDate.parse(day)))).collectAsList()
        .forEach(x -> stored.put(x.getString(x.fieldIndex("feature")), x));
    assertThat(stored).hasSize(features.size());
    for (ServiceFeature f : features) {
      String c = "`" + f.feature() + "`";
      // NaN counts as null in a profile (the monitoring core's convention), so SQL leaves it out of min and max
      Row want = spark.sql("SELECT count(*), count_if(" + c + " IS NULL OR isnan(" + c + ")), min(" + c + ") FILTER (WHERE NOT isnan(" + c
          + ")), max(" + c + ") FILTER (WHERE NOT isnan(" + c + ")) FROM strata.`strata`.`" + f.group() + "` WHERE day = DATE'" + day + "'")
          .first();
      Row got = stored.get(f.qualifiedName());
      assertThat(got).as(f.qualifiedName()).isNotNull();
      assertThat(want.getLong(0)).as("%s rows on %s", f.qualifiedName(), day).isPositive();
      assertThat(got.getString(got.fieldIndex("kind"))).isEqualTo("numeric");
      assertThat(got.getLong(got.fieldIndex("count"))).as(f.qualifiedName()).isEqualTo(want.getLong(0));
      assertThat(got.getLong(got.fieldIndex("nulls"))).as(f.qualifiedName()).isEqualTo(want.getLong(1));
      for (int i = 2; i < 4; i++) {
        String column = i == 2 ? "min" : "max";
        if (want.isNullAt(i)) {
          assertThat(got.isNullAt(got.fieldIndex(column))).as("%s %s", f.qualifiedName(), column).isTrue();
        } else {
          assertThat(got.getDouble(got.fieldIndex(column))).as("%s %s", f.qualifiedName(), column)
              .isEqualTo(((Number) want.get(i)).doubleValue());
        }
      }
      // the quantile columns are the stored sketch's
      ColumnProfile p = ColumnProfile.fromBytes((byte[]) got.get(got.fieldIndex("profile")));
      assertThat(p.count()).isEqualTo(want.getLong(0));
      if (p.nonNull() > 0) {
        assertThat(got.getDouble(got.fieldIndex("p50"))).isEqualTo(p.quantile(0.5));
        assertThat(got.getDouble(got.fieldIndex("p99"))).isEqualTo(p.quantile(0.99));
      }
    }
  }

  private static boolean anyWarn(List<Row> rows) {
    return rows.stream().anyMatch(x -> x.getString(x.fieldIndex("status")).equals("warn"));
  }

  /** A snapshot table's rows of [from, to], read with Spark SQL alone. */
  private static List<Row> days(String group, String from, String to) {
    return spark.table("strata.`strata`.`" + group + "`")
        .where(functions.col("day").between(LocalDate.parse(from), LocalDate.parse(to))).collectAsList();
  }

  /** A numeric column as doubles, NaN for NULL (the core's convention). */
  private static double[] column(List<Row> rows, String name) {
    return rows.stream().mapToDouble(x -> {
      Object v = x.get(x.fieldIndex(name));
      return v == null ? Double.NaN : ((Number) v).doubleValue();
    }).toArray();
  }

  @Test
  void badInputIsOneSentence() {
    Run r = run("monitor", "nope", "--from", "2001-03-01", "--to", "2001-03-31");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("Cannot monitor 'nope': no such monitor (known: delay_model_health).");
    Run half = run("monitor", MONITOR, "--from", "2001-03-01");
    assertThat(half.code()).isEqualTo(1);
    assertThat(half.err().strip()).isEqualTo("Cannot monitor 'delay_model_health': give both --from and --to, or neither.");
    Run early = run("monitor", MONITOR, "--from", "2000-06-01", "--to", "2000-06-30");
    assertThat(early.code()).isEqualTo(1);
    assertThat(early.err().strip()).startsWith("Cannot monitor 'delay_model_health': ").contains("has no rows for 2000-06-01")
        .doesNotContain("\n");
  }
}
