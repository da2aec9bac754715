package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.TileWriter;
import dev.strata.online.store.RedisKvStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The job into the real Redis (127.0.0.1:6379, database 11, a prefix of its own) through
 * online-store's writer: the tiles in Redis are GroupTiler's bytes, and the values the online
 * reader serves are the oracle's. Then the same with the job (RocksDB state) crashing mid-stream
 * and restarting from its last checkpoint: nothing lost, nothing counted twice.
 */
class RedisJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final String SERVICE = "delay_model_v1";
  static final CompiledPlan PLAN = FlightsSample.plan();
  static final List<Object[]> EVENTS = FlightsSample.events();
  static final Path CSV = FlightsSample.exampleDir().resolve("data/flights-20k.csv");
  static final AtomicInteger WRITES = new AtomicInteger();
  static UnifiedJedis redis;

  @BeforeAll
  static void connect() {
    redis = RedisConnections.open(config("t-stream-probe"));
    redis.ping();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  static OnlineStoreConfig config(String prefix) {
    return OnlineStoreConfig.fromUrl("redis://127.0.0.1:6379/11?prefix=" + prefix);
  }

  static String url(String prefix) {
    return "redis://127.0.0.1:6379/11?prefix=" + prefix;
  }

  @Test
  void redisHoldsTheTilesAndServesTheOracleValues() throws Exception {
    String prefix = "t-stream-" + System.nanoTime();
    ProjectSnapshot project = ProjectSnapshot.read(FlightsSample.exampleDir());
    Collected dead = new Collected();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamPipeline.add(env, project, "flights", new StreamInput.File(CSV, "csv", 0),
        RedisTileWriterFactory.of(project, url(prefix)), dead.deadLetterSink(), StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("redis test");
    try {
      assertThat(dead.deadLetters).isEmpty();
      assertRedisMatches(prefix);
    } finally {
      deleteKeys(prefix);
    }
  }

  @Test
  void aCrashMidStreamRestoresFromTheCheckpointAndLosesNothing() throws Exception {
    String prefix = "t-stream-crash-" + System.nanoTime();
    ProjectSnapshot project = ProjectSnapshot.read(FlightsSample.exampleDir());
    Collected dead = new Collected();
    Configuration conf = new Configuration();
    conf.setString("restart-strategy.type", "fixed-delay");
    conf.setString("restart-strategy.fixed-delay.attempts", "2");
    conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
    conf.setString("state.backend.type", "rocksdb"); // the production backend, restored from its checkpoint
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(200);
    // About three seconds of replay: checkpoints complete before the crash, events follow it.
    double speed = (90 * Durations.DAY / Durations.SECOND) / 3.0;
    WRITES.set(0);
    TileWriter.Factory redisSink = RedisTileWriterFactory.of(project, url(prefix));
    TileWriter.Factory crashing = CrashingSink.factory(redisSink);
    StreamPipeline.add(env, project, "flights", new StreamInput.File(CSV, "csv", speed), crashing, dead.deadLetterSink(), 100);
    env.execute("redis crash test");
    try {
      assertThat(WRITES.get()).as("batches written, crash included").isGreaterThan(12);
      assertThat(dead.deadLetters).isEmpty();
      assertRedisMatches(prefix);
    } finally {
      deleteKeys(prefix);
    }
  }

  @Test
  void redisStoppedUnderTheJobRetriesRecoversAndLosesNothing() throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("strata-stream-redis");
    try (RedisProcess server = new RedisProcess(dir)) {
      String prefix = "t-stream-restart";
      String url = "redis://127.0.0.1:" + server.port + "?prefix=" + prefix + "&timeout_ms=500";
      ProjectSnapshot project = ProjectSnapshot.read(FlightsSample.exampleDir());
      Collected dead = new Collected();
      Configuration conf = new Configuration();
      conf.setString("restart-strategy.type", "fixed-delay");
      conf.setString("restart-strategy.fixed-delay.attempts", "100");
      conf.setString("restart-strategy.fixed-delay.delay", "200 ms");
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
      env.setParallelism(2);
      env.enableCheckpointing(200);
      double speed = (90 * Durations.DAY / Durations.SECOND) / 4.0; // about four seconds of events
      StreamPipeline.add(env, project, "flights", new StreamInput.File(CSV, "csv", speed),
          RedisTileWriterFactory.of(project, url), dead.deadLetterSink(), 100);
      JobClient job = env.executeAsync("redis restart test");
      Thread.sleep(1500);
      server.stop(); // down for three seconds mid-stream: writes fail, the job restarts from its checkpoint
      Thread.sleep(3000);
      server.start();
      job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
      try (UnifiedJedis own = RedisConnections.open(OnlineStoreConfig.fromUrl(url))) {
        assertThat(dead.deadLetters).isEmpty();
        assertRedisMatches(own, prefix);
      }
    }
  }

  /** Level-0 tiles in Redis = GroupTiler's bytes; served values = the oracle's. */
  static void assertRedisMatches(String prefix) {
    assertRedisMatches(redis, prefix);
  }

  static void assertRedisMatches(UnifiedJedis redis, String prefix) {
    RedisLayout layout = new RedisLayout(prefix);
    Map<EncodedTile.Id, byte[]> expected = Expected.tiles(PLAN, "flights", EVENTS);
    int tiles = 0;
    List<EncodedTile.Id> ids = expectedIds();
    List<Response<byte[]>> stored = new ArrayList<>();
    try (AbstractPipeline p = redis.pipelined()) {
      for (EncodedTile.Id t : ids) {
        CompiledGroup g = PLAN.group(t.group()).orElseThrow();
        stored.add(p.hget(layout.keyBytes(g, t.key()),
            RedisLayout.field(t.hopMicros(), t.hopMicros(), t.startMicros()).getBytes(StandardCharsets.UTF_8)));
      }
      p.sync();
    }
    for (int i = 0; i < ids.size(); i++) {
      byte[] bytes = stored.get(i).get();
      if (bytes != null) { // the writer trims tiles that left the largest window
        assertThat(bytes).as("tile %s", ids.get(i)).isEqualTo(expected.get(ids.get(i)));
        tiles++;
      }
    }
    assertThat(tiles).as("tiles found in Redis").isGreaterThan(1000);

    long last = EVENTS.stream().mapToLong(r -> (Long) r[0]).max().orElseThrow();
    OnlineReader reader = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build();
    Oracle oracle = new Oracle(PLAN);
    List<Map<String, Object>> rows = entityRows(60);
    int checked = 0;
    for (long t : new long[] {last + 1, Durations.startOfDay(last) + Durations.DAY + 17 * Durations.MINUTE}) {
      OnlineFeatures got = reader.getOnlineFeatures(SERVICE, rows, t);
      for (int r = 0; r < rows.size(); r++) {
        Map<String, List<Object>> keys = new LinkedHashMap<>();
        keys.put("airport", List.of(rows.get(r).get("airport")));
        keys.put("route", List.of(rows.get(r).get("origin"), rows.get(r).get("destination")));
        Map<String, Object> want = oracle.serviceFeatures(SERVICE, Map.of("flights", EVENTS), keys, t);
        for (int f = 0; f < got.featureNames().size(); f++) {
          String name = got.featureNames().get(f);
          String what = name + " for " + rows.get(r) + " as of " + Durations.formatInstant(t);
          if (got.status(r, f) == FeatureStatus.PRESENT) {
            assertThat(got.value(r, f)).as(what).isEqualTo(want.get(name));
          } else {
            // Not served (no tile in the window): the oracle's value is the empty one.
            Object e = want.get(name);
            assertThat(e == null || Objects.equals(e, 0L) || name.equals("busy_origin")).as("%s: oracle %s", what, e).isTrue();
          }
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(1000);
  }

  /** Every expected tile id. */
  static List<EncodedTile.Id> expectedIds() {
    List<EncodedTile.Id> out = new ArrayList<>();
    for (String name : StreamPipeline.onlineGroups(PLAN, "flights")) {
      var tiler = dev.strata.dsl.tile.GroupTiler.of(PLAN, name);
      LinkedHashSet<EncodedTile.Id> seen = new LinkedHashSet<>();
      for (Object[] row : EVENTS) {
        List<Object> key = tiler.keyOf(row);
        if (key == null) {
          continue;
        }
        for (int s = 0; s < tiler.specCount(); s++) {
          EncodedTile.Id t = new EncodedTile.Id(name, tiler.group().version(), key, tiler.hop(s),
              tiler.tileStart(s, tiler.eventTime(row)));
          if (seen.add(t)) {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  static List<Map<String, Object>> entityRows(int count) {
    List<List<Object>> routes = new ArrayList<>(new LinkedHashSet<>(EVENTS.stream()
        .filter(r -> r[3] != null && r[4] != null).map(r -> List.of(r[3], r[4])).toList()));
    Collections.shuffle(routes, new Random(3));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (List<Object> r : routes.subList(0, count)) {
      rows.add(Map.of("airport", r.get(0), "origin", r.get(0), "destination", r.get(1)));
    }
    return rows;
  }

  static void deleteKeys(String prefix) {
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + ":*").count(1000));
      if (!page.getResult().isEmpty()) {
        redis.del(page.getResult().toArray(new String[0]));
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
  }

  /** Writes through; the 12th batch of the run is written half-way, then the task dies (once). */
  static final class CrashingSink implements TileWriter {
    private final TileWriter sink;

    private CrashingSink(TileWriter sink) {
      this.sink = sink;
    }

    static Factory factory(Factory inner) {
      return () -> new CrashingSink(inner.open());
    }

    @Override
    public void write(List<EncodedTile> tiles) {
      if (WRITES.incrementAndGet() == 12) {
        sink.write(tiles.subList(0, tiles.size() / 2));
        throw new dev.strata.online.OnlineStoreException("injected crash", null);
      }
      sink.write(tiles);
    }

    @Override
    public void close() {
      sink.close();
    }
  }
}
