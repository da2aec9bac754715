package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.time.Durations;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.store.RedisKvStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * Events before 1970 (negative microseconds) in lifetime and finite windows: the Spark training
 * set (the real batch job in a child JVM), the Flink-fed online values and the oracle agree.
 */
class TimeRangeEndToEndTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final String REDIS = "redis://127.0.0.1:6379/12";
  static final String DEFS = """
      entities:
        station: { keys: { station: string } }
      sources:
        readings:
          timestamp: at
          schema: { at: timestamp, value: int, station: string }
          batch: { path: data/readings.csv }
      feature_groups:
        history:
          entity: station
          source: readings
          keys: { station: station }
          aggregations:
            - { name: readings, function: count, windows: [1d, 30d, lifetime] }
            - { name: total,    function: sum,   input: value, windows: [7d, lifetime] }
            - { name: first_value, function: first, input: value, windows: [lifetime] }
          online: true
      feature_services:
        climate:
          features: [history.*]
      training_sets:
        climate_training:
          service: climate
          spine: { source: readings, keys: { station: station }, label: "value > 50" }
      """;

  @Test
  void trainingSetOnlineValuesAndOracleAgreeBeforeTheEpoch(@TempDir Path dir) throws Exception {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path batchTarget = module.resolveSibling("batch-jobs").resolve("target");
    Path jar = batchTarget.resolve("strata-batch-jobs.jar");
    assertThat(jar).as("the batch job jar: build it first (mvn install -pl streaming-jobs -am)").isRegularFile();

    Path project = dir.resolve("climate");
    Files.createDirectories(project.resolve("data"));
    Files.writeString(project.resolve("defs.yaml"), DEFS);
    List<Object[]> events = events();
    StringBuilder csv = new StringBuilder("at,value,station\n");
    for (Object[] e : events) {
      csv.append(Durations.formatInstant((Long) e[0])).append(',').append(e[1]).append(',').append(e[2]).append('\n');
    }
    Files.writeString(project.resolve("data/readings.csv"), csv);
    String prefix = "t-range-" + System.nanoTime();
    Files.writeString(project.resolve("strata.yaml"), "warehouse: " + dir.resolve("warehouse") + "\n"
        + "redis:\n  url: \"" + REDIS + "?prefix=" + prefix + "\"\n");
    ProjectSnapshot files = ProjectSnapshot.read(project);
    CompiledPlan plan = files.plan();
    Oracle oracle = new Oracle(plan);

    // Offline: the training set, one row per event, each as of its own time.
    Path out = dir.resolve("training.parquet");
    BatchStreamTilesTest.runChild(dir.resolve("training-set.log"),
        BatchStreamTilesTest.sparkJvm(jar, batchTarget.resolve("spark-classpath.txt")),
        List.of(BatchStreamTilesTest.BATCH_MAIN, "--project", project.toString(), "training-set", "climate_training",
            "--out", out.toString()));
    int checked = 0;
    Class.forName("org.duckdb.DuckDBDriver");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      ResultSet rows = s.executeQuery("SELECT epoch_us(\"at\") AS t, station, history__readings_lifetime AS lifetime, "
          + "history__total_lifetime AS total, history__readings_30d AS d30, history__first_value_lifetime AS first_v "
          + "FROM read_parquet('" + out + "')");
      while (rows.next()) {
        long t = rows.getLong("t");
        String station = rows.getString("station");
        Map<String, Object> want = oracle.groupFeatures("history", events, List.of(station), t);
        assertThat(rows.getLong("lifetime")).as("readings_lifetime of %s as of %s", station, t).isEqualTo(want.get("readings_lifetime"));
        assertThat(rows.getObject("total") == null ? null : rows.getLong("total")).isEqualTo(want.get("total_lifetime"));
        assertThat(rows.getLong("d30")).isEqualTo(want.get("readings_30d"));
        assertThat(rows.getObject("first_v") == null ? null : rows.getLong("first_v")).isEqualTo(want.get("first_value_lifetime"));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(events.size());

    // Online: the same file replayed through the Flink job into Redis, read after its last event.
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    Collected dead = new Collected();
    StreamPipeline.add(env, files, "readings", new StreamInput.File(project.resolve("data/readings.csv"), "csv", 0),
        RedisTileWriterFactory.of(files, REDIS + "?prefix=" + prefix), dead.deadLetterSink(),
        StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("time range");
    assertThat(dead.deadLetters).isEmpty();
    long last = (Long) events.get(events.size() - 1)[0];
    try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(REDIS))) {
      try {
        OnlineReader reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(prefix)).build();
        List<Map<String, Object>> rows = List.of(Map.of("station", "S0"), Map.of("station", "S1"), Map.of("station", "S2"));
        for (long t : new long[] {last + 1, last + 20 * Durations.DAY}) {
          OnlineFeatures got = reader.getOnlineFeatures("climate", rows, t);
          for (int r = 0; r < rows.size(); r++) {
            Map<String, Object> want = oracle.groupFeatures("history", events, List.of(rows.get(r).get("station")), t);
            for (int f = 0; f < got.featureNames().size(); f++) {
              String name = got.featureNames().get(f).substring("history.".length());
              assertThat(got.status(r, f)).isEqualTo(FeatureStatus.PRESENT);
              assertThat(got.value(r, f)).as("%s of %s as of %s", name, rows.get(r), Durations.formatInstant(t))
                  .isEqualTo(want.get(name));
            }
          }
        }
      } finally {
        BatchStreamTilesTest.deleteKeys(redis, prefix);
      }
    }
  }

  /** Readings of three stations from 1950 to 1972, many of them around the epoch. */
  static List<Object[]> events() {
    Random random = new Random(1969);
    long from = Durations.parseInstant("1950-01-01");
    long to = Durations.parseInstant("1972-01-01");
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      long t = i % 3 == 0 ? Durations.parseInstant("1969-12-01") + (long) (random.nextDouble() * 60 * Durations.DAY)
          : from + (long) (random.nextDouble() * (to - from));
      t = Durations.floor(t, Durations.SECOND);
      out.add(new Object[] {t, (long) random.nextInt(100), "S" + random.nextInt(3)});
    }
    out.sort(Comparator.comparingLong(r -> (Long) r[0]));
    return out;
  }
}
