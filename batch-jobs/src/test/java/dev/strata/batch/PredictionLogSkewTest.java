package dev.strata.batch;

import dev.strata.online.client.Prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledMonitor;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Status;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.monitor.DayRange;
import dev.strata.monitoring.report.DriftReport;
import dev.strata.monitoring.skew.FeatureSkew;
import dev.strata.monitoring.skew.SkewComparison;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.log.JsonLinesServingLog;
import dev.strata.online.log.ServingLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;
import dev.strata.online.store.RedisKvStore;

/**
 * The served log against the offline values, end to end on the flights sample: backfill and
 * materialize January into a real Redis (db 10, a private key prefix), fetch the service's
 * online values with OnlineReader as of the materialized instant for 40 routes, write them as
 * the feature server's JSON-lines log, ingest, and compute skew: none. Then a second log with
 * some values corrupted: exactly those are flagged. Predictions (shifted on the current day)
 * and later labels go through the prediction log into the monitor's drift.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PredictionLogSkewTest {
  static final String SERVICE = "delay_model_v1";
  static final String MONITOR = "delay_model_health";
  static final String MODEL = "delay_model";
  static final LocalDate DAY = LocalDate.parse("2001-01-20");
  static final long AT = Durations.parseInstant("2001-01-20T00:00:00Z");

  @TempDir
  static Path warehouse;

  @TempDir
  static Path logs;

  @TempDir
  static Path project;

  static JobContext ctx;
  static CompiledPlan plan;
  static final ObjectMapper JSON = new ObjectMapper();
  /** The clean served log's lines, by request id. */
  static final Map<String, ObjectNode> served = new LinkedHashMap<>();
  /** The files the serving log wrote. */
  static List<Path> featureFiles;
  /** Predictions by day. */
  static final Map<LocalDate, List<Double>> scores = new LinkedHashMap<>();

  @BeforeAll
  static void serveAndLog() throws IOException {
    // the example, its monitor segmented by airport
    Path src = FlightsSample.exampleDir();
    try (java.util.stream.Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path to = project.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!src.relativize(p).startsWith(".strata")) {
          Files.copy(p, to);
        }
      }
    }
    Path defs = project.resolve("features.yaml");
    String yaml = Files.readString(defs);
    assertThat(yaml).contains("    every: 1d\n");
    // and a second monitor reading scores from a table of one's own
    Files.writeString(defs, yaml.replace("    every: 1d\n", "    every: 1d\n    segments: [airport]\n")
        + "  own_scores_health:\n    service: delay_model_v1\n    predictions: { table: strata.own_scores, column: score }\n"
        + "    reference: { from: 2001-01-01, to: 2001-02-01 }\n");
    JobContext base = SparkTestSession.context(project, warehouse);
    String catalog = "skew_" + UUID.randomUUID().toString().substring(0, 8);
    StrataSpark.registerCatalog(base.spark(), base.config(), catalog);
    ctx = new JobContext(base.spark(), base.config(), base.planRef(), catalog, Progress.silent());
    plan = ctx.plan();
    for (String g : List.of("origin_delays", "destination_delays", "route_delays")) {
      // up to the served day: enough for materialize as of AT and for the monitor's current day
      new BackfillJob(ctx).run(g, LocalDate.parse("2001-01-01"), DAY);
    }
    String prefix = catalog;
    String url = "redis://127.0.0.1:6379/10?prefix=" + prefix;
    StrataConfig c = base.config();
    StrataConfig config = new StrataConfig(c.projectDir(), c.warehouse(), c.catalogUri(), c.catalogUser(), c.catalogPassword(),
        c.namespace(), url, c.kafkaBootstrapServers());
    try (dev.strata.online.TileWriter writer =
        BatchJob.openWriter(new JobContext(ctx.spark(), config, ctx.planRef(), catalog, Progress.silent()))) {
      for (String g : List.of("origin_delays", "destination_delays", "route_delays")) {
        new MaterializeJob(ctx).run(g, AT, writer);
      }
    }

    // 40 routes flown in the week before AT, and two never flown (NOT_FOUND online)
    List<Row> routes = ctx.spark().table(ctx.table("route_delays")).where(functions.col("day").equalTo(functions.lit(DAY.minusDays(1))))
        .select("origin", "destination").distinct().orderBy("origin", "destination").limit(40).collectAsList();
    assertThat(routes).hasSize(40);
    List<Map<String, Object>> rows = new ArrayList<>();
    routes.forEach(r -> rows.add(Map.of("airport", r.getString(0), "origin", r.getString(0), "destination", r.getString(1))));
    rows.add(Map.of("airport", "ZZZ", "origin", "ZZZ", "destination", "ORD"));
    rows.add(Map.of("airport", "ORD", "origin", "ORD", "destination", "ZZZ"));

    // served as the feature server serves and logs: one request per entity row, through its JSON-lines log
    OnlineStoreConfig store = OnlineStoreConfig.fromUrl(url);
    try (UnifiedJedis redis = RedisConnections.open(store);
        JsonLinesServingLog log = JsonLinesServingLog.builder(logs).sampleRate(1.0).build()) {
      OnlineReader reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(store.prefix())).build();
      for (int r = 0; r < rows.size(); r++) {
        OnlineFeatures got = reader.getOnlineFeatures(SERVICE, List.of(rows.get(r)), AT);
        log.features(SERVICE, "req-" + r, AT, List.of(rows.get(r)), got);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(url))) {
        for (String key : redis.keys(prefix + ":*")) {
          redis.del(key);
        }
      }
    }
    featureFiles = jsonl(logs.resolve("features/date=" + DAY));
    for (Path f : featureFiles) {
      for (String l : Files.readAllLines(f)) {
        ObjectNode n = (ObjectNode) JSON.readTree(l);
        served.put(n.get("request_id").asText(), n);
      }
    }
    assertThat(served).hasSize(rows.size());

    // predictions every day of January, 40 a day, through the serving log; scores shift up on the current day
    Random random = new Random(42);
    try (JsonLinesServingLog log = JsonLinesServingLog.builder(logs).build()) {
      for (LocalDate d = LocalDate.parse("2001-01-01"); d.isBefore(LocalDate.parse("2001-02-01")); d = d.plusDays(1)) {
        List<Prediction> predictions = new ArrayList<>();
        List<Double> day = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          double score = (d.equals(DAY) ? 0.6 : 0.3) + 0.1 * random.nextGaussian();
          day.add(score);
          long time = Durations.toMicros(d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()) + i * 60_000_000L;
          predictions.add(new Prediction(MODEL, "p-" + d + "-" + i, time, Map.of("airport", "ORD"), score, null));
        }
        scores.put(d, day);
        log.predictions(predictions);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    logFiles = allJsonl();
    assertThat(logFiles).isGreaterThanOrEqualTo(featureFiles.size() + 31);
  }

  /** Log files at the start: what the first ingest loads. */
  static int logFiles;

  static int allJsonl() throws IOException {
    try (java.util.stream.Stream<Path> s = Files.walk(logs)) {
      return (int) s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).count();
    }
  }

  @AfterAll
  static void dropCatalogSession() {
    ctx.spark().catalog().clearCache();
  }

  static List<Path> jsonl(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  static void writeLines(Path file, List<ObjectNode> lines) throws IOException {
    Files.createDirectories(file.getParent());
    StringBuilder b = new StringBuilder();
    for (ObjectNode n : lines) {
      b.append(JSON.writeValueAsString(n)).append('\n');
    }
    Files.writeString(file, b.toString());
  }

  long count(String table) {
    return ctx.spark().table(ctx.table(table)).count();
  }

  @Test
  @Order(1)
  void ingestIsIdempotent() throws IOException {
    LogIngestJob.Result first = new LogIngestJob(ctx).run(logs);
    assertThat(first.files()).isEqualTo(logFiles);
    assertThat(first.servedRows()).isEqualTo(served.size());
    assertThat(first.predictions()).isEqualTo(31 * 40);
    assertThat(first.malformed()).isZero();
    assertThat(count(LogIngestJob.SERVED_TABLE)).isEqualTo(served.size());
    assertThat(count(LogIngestJob.PREDICTION_TABLE)).isEqualTo(31 * 40);

    // the same files again: skipped; the same lines under another name: recorded, adding no row
    LogIngestJob.Result again = new LogIngestJob(ctx).run(logs);
    assertThat(again.files()).isZero();
    assertThat(again.skippedFiles()).isEqualTo(logFiles);
    Files.copy(featureFiles.get(0), logs.resolve("features/date=" + DAY + "/copy.jsonl"));
    Files.writeString(logs.resolve("predictions/date=" + DAY + "/bad.jsonl"), "{not json\n{\"kind\":\"label\",\"model\":\"m\"}\n");
    // labels arrive later, the latest by label time wins whatever the order of the lines
    long t = AT + 3_600_000_000L;
    List<ObjectNode> labels = List.of(
        label("p-" + DAY + "-0", t + 2, 1.0), label("p-" + DAY + "-0", t + 1, 0.0), label("p-" + DAY + "-1", t, 0.0),
        label("p-" + DAY + "-2", t, 1.0));
    writeLines(logs.resolve("predictions/date=2001-01-21/labels.jsonl"), labels);
    LogIngestJob.Result copy = new LogIngestJob(ctx).run(logs);
    assertThat(copy.files()).isEqualTo(3);
    assertThat(copy.malformed()).isEqualTo(2);
    assertThat(copy.labels()).isEqualTo(4);
    assertThat(copy.firstProblem()).startsWith("predictions/date=2001-01-20/bad.jsonl: ");
    assertThat(count(LogIngestJob.SERVED_TABLE)).isEqualTo(served.size());
    assertThat(count(LogIngestJob.FILES_TABLE)).isEqualTo(logFiles + 3);
    Map<String, Double> got = new HashMap<>();
    ctx.spark().table(ctx.table(LogIngestJob.PREDICTION_TABLE)).where(functions.col("label").isNotNull()).collectAsList()
        .forEach(r -> got.put(r.getString(r.fieldIndex("request_id")), r.getDouble(r.fieldIndex("label"))));
    assertThat(got).isEqualTo(Map.of("p-" + DAY + "-0", 1.0, "p-" + DAY + "-1", 0.0, "p-" + DAY + "-2", 1.0));
    assertThat(count(LogIngestJob.PREDICTION_TABLE)).isEqualTo(31 * 40);
  }

  static ObjectNode label(String requestId, long time, double label) {
    return JSON.createObjectNode().put("kind", "label").put("model", MODEL).put("request_id", requestId).put("time", time)
        .put("label", label);
  }

  @Test
  @Order(2)
  void servedValuesEqualOfflineValuesThenCorruptedOnesAreFlagged() throws IOException {
    DayRange slice = DayRange.day(DAY);
    DriftReport.Skew clean = new SkewJob(ctx, SkewComparison.withDefaults()).run(SERVICE, slice);
    List<String> names = plan.service(SERVICE).orElseThrow().schema().names();
    assertThat(clean.features()).extracting(FeatureSkew::feature).isEqualTo(names);
    for (FeatureSkew f : clean.features()) {
      assertThat(f.mismatches()).as("%s: %s", f.feature(), f.examples()).isZero();
      assertThat(f.rowsCompared() + f.rowsNotServed()).as(f.feature()).isEqualTo(served.size());
    }
    // the never-flown route is NOT_FOUND for its route feature, ZZZ for the airport features
    assertThat(clean.features().stream().filter(f -> f.feature().equals("route_delays.avg_delay_7d")).findFirst().orElseThrow()
        .rowsNotServed()).isEqualTo(2);
    assertThat(clean.features().stream().filter(f -> f.feature().equals("origin_delays.avg_delay_7d")).findFirst().orElseThrow()
        .rowsNotServed()).isEqualTo(1);

    // A second serving of the same rows (new request ids) with some values corrupted.
    Set<String> corrupted = new HashSet<>();
    List<ObjectNode> lines = new ArrayList<>();
    int i = 0;
    for (ObjectNode clean0 : served.values()) {
      ObjectNode line = clean0.deepCopy();
      String id = "bad-" + i;
      line.put("request_id", id);
      ObjectNode v = (ObjectNode) line.get("features");
      boolean present = "PRESENT".equals(line.get("statuses").path("origin_delays.flights_1d").asText());
      if (i % 10 == 3 && present) {
        v.put("origin_delays.flights_1d", v.get("origin_delays.flights_1d").asLong() + 1); // bigint: exact
        corrupted.add("origin_delays.flights_1d/" + id);
      }
      if (i % 10 == 5 && present && v.get("origin_delays.avg_delay_7d").isNumber() && v.get("origin_delays.avg_delay_7d").asDouble() != 0) {
        double x = v.get("origin_delays.avg_delay_7d").asDouble();
        v.put("origin_delays.avg_delay_7d", x * (1 + 1e-6)); // beyond the 1e-9 tolerance
        corrupted.add("origin_delays.avg_delay_7d/" + id);
      }
      if (i % 10 == 7 && present && v.get("origin_delays.avg_delay_1d").isNumber() && v.get("origin_delays.avg_delay_1d").asDouble() != 0) {
        double x = v.get("origin_delays.avg_delay_1d").asDouble();
        v.put("origin_delays.avg_delay_1d", x * (1 + 1e-13)); // within it: not a mismatch
      }
      lines.add(line);
      i++;
    }
    assertThat(corrupted).hasSizeGreaterThan(4);
    writeLines(logs.resolve("features/date=" + DAY + "/part-1.jsonl"), lines);
    new LogIngestJob(ctx).run(logs);

    DriftReport.Skew skew = new SkewJob(ctx, SkewComparison.withDefaults()).run(SERVICE, slice);
    Set<String> flagged = new HashSet<>();
    long mismatches = 0;
    for (FeatureSkew f : skew.features()) {
      assertThat(f.rowsCompared() + f.rowsNotServed()).isEqualTo(2L * served.size());
      mismatches += f.mismatches();
      assertThat(f.examples()).hasSize((int) Math.min(f.mismatches(), FeatureSkew.MAX_EXAMPLES));
      f.examples().forEach(e -> flagged.add(f.feature() + "/" + e.requestId()));
    }
    assertThat(mismatches).isEqualTo(corrupted.size());
    // every example is a corrupted value; the counts leave no room for any other
    assertThat(corrupted).containsAll(flagged);
    FeatureSkew flights = skew.features().stream().filter(f -> f.feature().equals("origin_delays.flights_1d")).findFirst().orElseThrow();
    assertThat(flights.mismatches()).isEqualTo(corrupted.stream().filter(s -> s.startsWith("origin_delays.flights_1d/")).count());
    assertThat(flights.meanAbsDiff()).isCloseTo((double) flights.mismatches() / flights.rowsCompared(), within(1e-12));

    // the table holds the same, one row per feature for the slice (a rerun replaced the first)
    List<Row> rows = ctx.spark().table(ctx.table(SkewJob.TABLE)).collectAsList();
    assertThat(rows).hasSize(names.size());
    for (Row r : rows) {
      FeatureSkew f = skew.features().stream().filter(x -> x.feature().equals(r.getString(r.fieldIndex("feature")))).findFirst().orElseThrow();
      assertThat(r.getLong(r.fieldIndex("mismatches"))).isEqualTo(f.mismatches());
      assertThat(r.getLong(r.fieldIndex("rows_compared"))).isEqualTo(f.rowsCompared());
    }
  }

  @Test
  @Order(3)
  void monitorAddsPredictionDriftAndSkew() throws IOException {
    // labels of five predictions of 5 January too: the reference month has 8 labelled predictions, the current day 3
    LocalDate early = LocalDate.parse("2001-01-05");
    List<ObjectNode> earlyLabels = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      earlyLabels.add(label("p-" + early + "-" + i, AT, i == 0 ? 1.0 : 0.0));
    }
    writeLines(logs.resolve("predictions/date=2001-01-22/labels.jsonl"), earlyLabels);
    assertThat(new LogIngestJob(ctx).run(logs).labels()).isEqualTo(5);
    MonitorJob.Result r = new MonitorJob(ctx).run(MONITOR, DAY, DAY);
    CompiledMonitor m = plan.monitor(MONITOR).orElseThrow();
    FeatureDrift prediction = r.report().features().stream().filter(f -> f.feature().equals(MODEL + ".prediction"))
        .findFirst().orElseThrow();
    double[] reference = scores.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
    double[] current = scores.get(DAY).stream().mapToDouble(Double::doubleValue).toArray();
    FeatureDrift want = new ExactDrift(Thresholds.forMonitor(m)).numeric(MODEL + ".prediction", reference, current);
    assertThat(prediction.status()).isEqualTo(Status.DRIFT).isEqualTo(want.status());
    for (String metric : List.of("psi", "ks", "js_distance", "wasserstein")) {
      assertThat(prediction.metric(metric)).as(metric).isCloseTo(want.metric(metric), within(1e-12));
    }
    assertThat(r.report().features()).extracting(FeatureDrift::feature).contains(MODEL + ".label");
    List<Row> rows = ctx.spark().table(ctx.table(MonitorJob.TABLE))
        .where(functions.col("feature").equalTo(MODEL + ".prediction").and(functions.col("metric").equalTo("psi"))).collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getDouble(rows.get(0).fieldIndex("value"))).isCloseTo(want.metric("psi"), within(1e-12));
    assertThat(r.report().skew()).isNotNull();
    assertThat(r.report().skew().mismatches()).isPositive();

    // the model against the labels that arrived: three labelled predictions of the current day (p-<DAY>-0's later
    // label 1 wins), in the reference month too
    double[] score = {scores.get(DAY).get(0), scores.get(DAY).get(1), scores.get(DAY).get(2)};
    double[] truth = {1.0, 0.0, 1.0};
    double mae = 0;
    double right = 0;
    for (int i = 0; i < 3; i++) {
      mae += Math.abs(score[i] - truth[i]) / 3;
      right += (score[i] >= 0.5) == (truth[i] == 1.0) ? 1 : 0;
    }
    double referenceMae = mae * 3 / 8;
    double referenceRight = right;
    for (int i = 0; i < 5; i++) {
      double s = scores.get(early).get(i);
      double y = i == 0 ? 1.0 : 0.0;
      referenceMae += Math.abs(s - y) / 8;
      referenceRight += (s >= 0.5) == (y == 1.0) ? 1 : 0;
    }
    dev.strata.monitoring.performance.ModelPerformance performance = r.report().performance();
    assertThat(performance).isNotNull();
    assertThat(performance.model()).isEqualTo(MODEL);
    dev.strata.monitoring.performance.ModelPerformance.Metric maeMetric = performance.metric("mae").orElseThrow();
    assertThat(maeMetric.current()).isCloseTo(mae, within(1e-12));
    assertThat(maeMetric.reference()).isCloseTo(referenceMae, within(1e-12));
    assertThat(maeMetric.currentRows()).isEqualTo(3);
    assertThat(maeMetric.referenceRows()).isEqualTo(8);
    assertThat(performance.metric("accuracy").orElseThrow().current()).isEqualTo(right / 3);
    assertThat(performance.metric("accuracy").orElseThrow().reference()).isEqualTo(referenceRight / 8);
    // and the current slice's metrics in the performance table
    List<Row> perf = ctx.spark().table(ctx.table(MonitorJob.PERFORMANCE_TABLE)).collectAsList();
    Map<String, Row> byMetric = new HashMap<>();
    perf.forEach(x -> byMetric.put(x.getString(x.fieldIndex("metric")), x));
    assertThat(byMetric).containsOnlyKeys("mae", "rmse", "bias", "accuracy");
    Row maeRow = byMetric.get("mae");
    assertThat(maeRow.getString(maeRow.fieldIndex("model"))).isEqualTo(MODEL);
    assertThat(maeRow.getDouble(maeRow.fieldIndex("value"))).isCloseTo(mae, within(1e-12));
    assertThat(maeRow.getLong(maeRow.fieldIndex("labelled_pairs"))).isEqualTo(3);
    // a rerun replaces its slice's rows
    new MonitorJob(ctx).run(MONITOR, DAY, DAY);
    assertThat(ctx.spark().table(ctx.table(MonitorJob.PERFORMANCE_TABLE)).count()).isEqualTo(4);

    // the same scores from a table of one's own (time, score): the same drift
    ctx.spark().sql("CREATE TABLE " + ctx.table("own_scores") + " USING iceberg AS SELECT time, prediction AS score FROM "
        + ctx.table(LogIngestJob.PREDICTION_TABLE) + " WHERE model = '" + MODEL + "'");
    MonitorJob.Result own = new MonitorJob(ctx, MonitorJob.DEFAULT_MAX_EXACT_VALUES, null).run("own_scores_health", DAY, DAY);
    FeatureDrift ownScore = own.report().features().stream().filter(f -> f.feature().equals("own_scores.score"))
        .findFirst().orElseThrow();
    FeatureDrift ownWant = new ExactDrift(Thresholds.forMonitor(plan.monitor("own_scores_health").orElseThrow()))
        .numeric("own_scores.score", reference, current);
    assertThat(ownScore.metric("psi")).isCloseTo(ownWant.metric("psi"), within(1e-12));
    assertThat(ownScore.status()).isEqualTo(ownWant.status());
    assertThat(own.report().skew()).as("skew left out with a null comparison").isNull();

    // per segment: the 3 airports with most reference rows, each feature on its own rows
    r = new MonitorJob(ctx).segmentsTop(3).run(MONITOR, DAY, DAY);
    List<Row> ref = ctx.spark().table(ctx.table("origin_delays")).where(functions.col("day").lt(functions.lit(LocalDate.parse("2001-02-01"))))
        .groupBy("airport").count().orderBy(functions.col("count").desc(), functions.col("airport")).limit(3).collectAsList();
    for (Row top : ref) {
      String airport = top.getString(0);
      String name = "origin_delays.avg_delay_1d[airport=" + airport + "]";
      FeatureDrift got = r.report().features().stream().filter(f -> f.feature().equals(name)).findFirst().orElseThrow();
      double[] refValues = column("origin_delays", "avg_delay_1d", functions.col("airport").equalTo(airport));
      double[] curValues = column("origin_delays", "avg_delay_1d",
          functions.col("airport").equalTo(airport).and(functions.col("day").equalTo(functions.lit(DAY))));
      FeatureDrift w = new ExactDrift(Thresholds.forMonitor(m)).numeric(name, refValues, curValues);
      assertThat(got.referenceCount()).isEqualTo(w.referenceCount());
      assertThat(got.currentCount()).isEqualTo(w.currentCount());
      assertThat(got.metric("wasserstein")).isCloseTo(w.metric("wasserstein"), within(1e-12));
      assertThat(got.status()).isEqualTo(w.status());
    }
    // airport segments exist for both airport-keyed groups, none for the route group (no airport column)
    long segmented = r.report().features().stream().filter(f -> f.feature().contains("[airport=")).count();
    long airportFeatures = plan.service(SERVICE).orElseThrow().features().stream().filter(f -> !f.group().equals("route_delays")).count();
    assertThat(segmented).isEqualTo(3 * airportFeatures);
  }

  /** A snapshot column of January (the reference's backfilled days) where {@code where} holds, NaN for NULL. */
  static double[] column(String group, String feature, org.apache.spark.sql.Column where) {
    return ctx.spark().table(ctx.table(group)).where(where.and(functions.col("day").lt(functions.lit(LocalDate.parse("2001-02-01")))))
        .select(feature).collectAsList().stream().mapToDouble(x -> x.isNullAt(0) ? Double.NaN : ((Number) x.get(0)).doubleValue())
        .toArray();
  }
}
