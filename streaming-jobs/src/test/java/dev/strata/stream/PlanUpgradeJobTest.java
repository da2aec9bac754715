package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.tile.GroupTiler;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A plan upgrade through a savepoint, as the rendered deployment does it: the flights sample
 * streams from an unbounded Kafka topic into Redis under plan P1, the job stops with a savepoint
 * mid-stream (tiles of every hop open), and resumes from it under P2, which adds a group before
 * the others in plan order and changes another group's window. Afterwards every value the online
 * reader serves equals the oracle over the events the new plan has seen: the unchanged groups
 * over all events (their open tiles resumed), the new and the changed group over the events after
 * the upgrade only.
 */
class PlanUpgradeJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** The savepoint is taken once every event before this instant is in, none after it. */
  static final long UPGRADE = Durations.parseInstant("2001-02-14T15:00:30Z");
  static final long FROM = Durations.parseInstant("2001-02-01T00:00:00Z");
  static final long TO = Durations.parseInstant("2001-03-01T00:00:00Z");
  static final String NEW_GROUP = "origin_distance";
  static final String CHANGED_GROUP = "destination_delays";
  static final List<String> UNCHANGED_GROUPS = List.of("origin_delays", "route_delays");
  static final String NEW_GROUP_YAML = """
      feature_groups:
        origin_distance:
          entity: airport
          source: flights
          keys: { airport: origin }
          aggregations:
            - { name: distance_flown, function: sum,   input: distance, windows: [1h, 1d] }
            - { name: departures,     function: count,                  windows: [1d, lifetime] }
          online: true
          ttl: 30d
          description: Miles flown out of the airport (added by the upgrade).

      """;
  static final AtomicLong BATCHES = new AtomicLong();

  static KafkaBroker kafka;
  static UnifiedJedis redis;

  @BeforeAll
  static void start() throws Exception {
    kafka = new KafkaBroker();
    redis = RedisConnections.open(OnlineStoreConfig.fromUrl("redis://127.0.0.1:6379/11?prefix=t-upgrade-probe"));
    redis.ping();
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
    redis.close();
  }

  @Test
  void aSavepointResumesUnchangedGroupsAndStartsNewAndChangedOnesClean(@TempDir Path dir) throws Exception {
    Path p1 = copyExample(dir.resolve("p1"));
    Path p2 = copyExample(dir.resolve("p2"));
    String features = Files.readString(p2.resolve("features.yaml"));
    String window = "{ name: avg_arrival_delay, function: avg, input: delay, windows: [1d, 7d] }";
    assertThat(features).contains("feature_groups:\n").contains(window);
    Files.writeString(p2.resolve("features.yaml"), features
        .replace("feature_groups:\n", NEW_GROUP_YAML)
        .replace(window, window.replace("[1d, 7d]", "[1d, 3d]")));
    ProjectSnapshot project1 = ProjectSnapshot.read(p1);
    ProjectSnapshot project2 = ProjectSnapshot.read(p2);
    CompiledPlan plan1 = project1.plan();
    CompiledPlan plan2 = project2.plan();
    // The upgrade is what it says: a group first in plan order, one changed version, two unchanged.
    assertThat(StreamPipeline.onlineGroups(plan1, "flights")).containsExactly("origin_delays", CHANGED_GROUP, "route_delays");
    assertThat(StreamPipeline.onlineGroups(plan2, "flights"))
        .containsExactly(NEW_GROUP, "origin_delays", CHANGED_GROUP, "route_delays");
    for (String g : UNCHANGED_GROUPS) {
      assertThat(version(plan2, g)).as(g).isEqualTo(version(plan1, g));
    }
    assertThat(version(plan2, CHANGED_GROUP)).isNotEqualTo(version(plan1, CHANGED_GROUP));

    CompiledSource source = plan1.source("flights").orElseThrow();
    int timeIndex = source.schema().indexOf(source.timestamp());
    List<Object[]> before = new ArrayList<>();
    List<Object[]> after = new ArrayList<>();
    for (Object[] row : FlightsSample.events()) {
      long t = (Long) row[timeIndex];
      if (t >= FROM && t < TO) { // four weeks, the upgrade in the middle: enough for every window, quick to stream
        (t < UPGRADE ? before : after).add(row);
      }
    }
    // Events 20 s either side of the upgrade on busy routes: tiles of every hop (1m, 1h, 1d) of
    // every group are open at the savepoint and get events after it.
    for (String[] route : new String[][] {{"ORD", "LGA"}, {"ATL", "DFW"}, {"LAX", "SFO"}}) {
      before.add(new Object[] {UPGRADE - 20 * Durations.SECOND, 12L, 700L, route[0], route[1]});
      after.add(new Object[] {UPGRADE + 20 * Durations.SECOND, 31L, 700L, route[0], route[1]});
    }
    List<Object[]> all = new ArrayList<>(before);
    all.addAll(after);

    String prefix = "t-upgrade-" + System.nanoTime();
    String url = "redis://127.0.0.1:6379/11?prefix=" + prefix;
    String topic = "flights-upgrade";
    kafka.createTopic(topic, 2);
    Path savepoints = dir.resolve("savepoints");
    try {
      // P1: the events before the upgrade, then stop with a savepoint (no drain: tiles stay open).
      kafka.send(topic, 2, json(source, Events.shuffledWithin(before, timeIndex, 30 * Durations.MINUTE, 3)));
      Collected first = new Collected();
      JobClient job1 = start(project1, url, topic, first, null);
      Map<EncodedTile.Id, byte[]> expected1 = Expected.tiles(plan1, "flights", before);
      KafkaJobTest.await(() -> sameTiles(first.tiles, expected1), () -> first.tiles.size() + " of " + expected1.size() + " tiles");
      String savepoint = job1.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
          .get(60, TimeUnit.SECONDS);

      // P2 from the savepoint: the events after the upgrade.
      kafka.send(topic, 2, json(source, Events.shuffledWithin(after, timeIndex, 30 * Durations.MINUTE, 5)));
      Map<EncodedTile.Id, byte[]> overAll = Expected.tiles(plan2, "flights", all);
      Map<EncodedTile.Id, byte[]> overAfter = Expected.tiles(plan2, "flights", after);
      Map<EncodedTile.Id, byte[]> expected2 = new HashMap<>();
      Map<String, Integer> resumed = new TreeMap<>(); // (group, hop) → tiles with events on both sides of the savepoint
      for (Map.Entry<EncodedTile.Id, byte[]> e : overAfter.entrySet()) {
        String group = groupOf(e.getKey());
        boolean unchanged = UNCHANGED_GROUPS.contains(group);
        expected2.put(e.getKey(), unchanged ? overAll.get(e.getKey()) : e.getValue());
        if (unchanged && !Arrays.equals(overAll.get(e.getKey()), e.getValue())) {
          resumed.merge(group + " hop " + hopOf(e.getKey()), 1, Integer::sum);
        }
      }
      assertThat(resumed).as("tiles open at the savepoint, by group and hop")
          .containsOnlyKeys(hopsOf(plan2, UNCHANGED_GROUPS)).allSatisfy((k, n) -> assertThat(n).isPositive());
      Collected second = new Collected();
      List<String> restoreLog;
      try (CapturedLog log = new CapturedLog(TileFunction.class)) {
        JobClient job2 = start(project2, url, topic, second, savepoint);
        try {
          awaitSettled(second, expected2);
        } finally {
          job2.cancel().get(30, TimeUnit.SECONDS);
        }
        restoreLog = List.copyOf(log.messages);
      }

      Map<String, Integer> wrong = new TreeMap<>();
      expected2.forEach((id, bytes) -> {
        EncodedTile t = second.tiles.get(id);
        if (t == null || !Arrays.equals(t.bytes(), bytes)) {
          wrong.merge(groupOf(id) + (t == null ? " missing" : " differing"), 1, Integer::sum);
        }
      });
      second.tiles.keySet().stream().filter(id -> !expected2.containsKey(id)).forEach(id -> wrong.merge(groupOf(id) + " extra", 1, Integer::sum));
      assertThat(wrong).as("tiles written after the upgrade that are not the tiles of the events the plan has seen, by group")
          .isEmpty();
      assertThat(second.deadLetters).isEmpty();
      String of = "Stream state of source 'flights': group ";
      assertThat(restoreLog).as("what the restore says it does").containsExactlyInAnyOrder(
          of + "'" + NEW_GROUP + "' version " + version(plan2, NEW_GROUP) + " is new: starts clean; until a backfill and "
              + "materialize fill its history, its online values cover only the events from this restore on",
          of + "'origin_delays' version " + version(plan2, "origin_delays") + " is unchanged: resumes its open tiles",
          of + "'" + CHANGED_GROUP + "' changed from version " + version(plan1, CHANGED_GROUP) + " to " + version(plan2, CHANGED_GROUP)
              + ": starts clean; until a backfill and materialize fill its history, its online values cover only the events "
              + "from this restore on; the open tiles of version " + version(plan1, CHANGED_GROUP) + " are dropped",
          of + "'route_delays' version " + version(plan2, "route_delays") + " is unchanged: resumes its open tiles");
      assertServedValuesAreTheOracles(plan2, prefix, all, after);
    } finally {
      deleteKeys(prefix);
    }
  }

  /** The values the online reader serves for every airport and many routes, at instants after the last event. */
  static void assertServedValuesAreTheOracles(CompiledPlan plan, String prefix, List<Object[]> all, List<Object[]> after) {
    OnlineReader reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(prefix)).build();
    Oracle oracle = new Oracle(plan);
    long last = all.stream().mapToLong(r -> (Long) r[0]).max().orElseThrow();
    Set<List<Object>> airports = new LinkedHashSet<>();
    Set<List<Object>> routes = new LinkedHashSet<>();
    for (Object[] r : all) {
      airports.add(List.of(r[3]));
      airports.add(List.of(r[4]));
      routes.add(List.of(r[3], r[4]));
    }
    // Every route seen around the upgrade, and a spread of the others.
    List<List<Object>> routeSample = new ArrayList<>();
    int i = 0;
    for (List<Object> route : routes) {
      if (i++ % 7 == 0 || after.stream().anyMatch(r -> r[3].equals(route.get(0)) && r[4].equals(route.get(1))
          && (Long) r[0] < UPGRADE + Durations.DAY)) {
        routeSample.add(route);
      }
    }
    int checked = 0;
    int present = 0;
    for (String group : StreamPipeline.onlineGroups(plan, "flights")) {
      CompiledGroup g = plan.group(group).orElseThrow();
      List<Object[]> seen = UNCHANGED_GROUPS.contains(group) ? all : after;
      GroupTiler tiler = GroupTiler.of(plan, group);
      List<String> keyNames = tiler.keyNames();
      Map<List<Object>, Long> latest = new HashMap<>(); // the TTL counts from the key's latest event
      for (Object[] r : seen) {
        List<Object> key = tiler.keyOf(r);
        if (key != null) {
          latest.merge(key, tiler.eventTime(r), Math::max);
        }
      }
      List<List<Object>> keys = new ArrayList<>(keyNames.size() == 1 ? airports : routeSample);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (List<Object> key : keys) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int k = 0; k < keyNames.size(); k++) {
          row.put(keyNames.get(k), key.get(k));
        }
        rows.add(row);
      }
      List<String> refs = g.features().stream().map(CompiledFeature::qualifiedName).toList();
      for (long t : new long[] {last + 1, Durations.startOfDay(last) + Durations.DAY + 17 * Durations.MINUTE, last + 4 * Durations.DAY}) {
        OnlineFeatures got = reader.getOnlineFeaturesByName(refs, rows, t);
        for (int r = 0; r < rows.size(); r++) {
          Map<String, Object> want = oracle.groupFeatures(group, byAirport(seen, keys.get(r)), keys.get(r), t);
          for (int f = 0; f < refs.size(); f++) {
            CompiledFeature feature = g.features().get(f);
            String what = feature.qualifiedName() + " for " + keys.get(r) + " as of " + Durations.formatInstant(t);
            Object expected = want.get(feature.name());
            if (got.status(r, f) == FeatureStatus.PRESENT) {
              assertThat(got.value(r, f)).as(what).isEqualTo(expected);
              present++;
            } else if (got.status(r, f) == FeatureStatus.OUTSIDE_TTL) {
              assertThat(latest.get(keys.get(r))).as("%s is outside the TTL: the key's latest event", what).isNotNull()
                  .isLessThan(t - g.ttlMicros());
            } else {
              // Nothing stored for the key in the window: the oracle's value is the empty one.
              assertThat(expected == null || Objects.equals(expected, 0L)).as("%s is %s: oracle %s", what, got.status(r, f), expected)
                  .isTrue();
            }
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(5000);
    assertThat(present).isGreaterThan(2000);
  }

  /**
   * The events naming one of the key's airports as origin or destination: a superset of the key's
   * events in every group here (the oracle still keys and filters them itself), so the oracle
   * need not scan all events for each key.
   */
  static List<Object[]> byAirport(List<Object[]> events, List<Object> key) {
    return events.stream().filter(r -> key.contains(r[3]) || key.contains(r[4])).toList();
  }

  static JobClient start(ProjectSnapshot project, String redisUrl, String topic, Collected out, String savepoint) throws Exception {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "rocksdb"); // as deployed
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    TileWriter.Factory redisSink = RedisTileWriterFactory.of(project, redisUrl);
    TileWriter.Factory collect = out.tileSink();
    // Into Redis, then into the test's collection: a tile collected is a tile in Redis.
    TileWriter.Factory both = () -> {
      TileWriter r = redisSink.open();
      TileWriter c = collect.open();
      return new TileWriter() {
        @Override
        public void write(List<EncodedTile> tiles) {
          r.write(tiles);
          c.write(tiles);
          BATCHES.incrementAndGet();
        }

        @Override
        public void close() {
          r.close();
        }
      };
    };
    StreamPipeline.add(env, project, "flights", new StreamInput.Kafka(kafka.bootstrapServers(), topic, "strata-upgrade", "json", false),
        both, out.deadLetterSink(), 50);
    return env.executeAsync("plan upgrade test");
  }

  /**
   * Until the written tiles are the expected ones, or writes stop: 2 s without a batch once every
   * expected tile is written or a dead letter came, 5 s otherwise (the test then says what is wrong).
   */
  static void awaitSettled(Collected out, Map<EncodedTile.Id, byte[]> expected) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    long batches = BATCHES.get();
    long quietSince = System.nanoTime();
    while (!sameTiles(out.tiles, expected) && System.nanoTime() < deadline) {
      long now = BATCHES.get();
      long quiet = System.nanoTime() - quietSince;
      if (now != batches) {
        batches = now;
        quietSince = System.nanoTime();
      } else if (!out.tiles.isEmpty() && (quiet > 5_000_000_000L || quiet > 2_000_000_000L
          && (out.tiles.keySet().containsAll(expected.keySet()) || !out.deadLetters.isEmpty()))) {
        return;
      }
      Thread.sleep(50);
    }
  }

  static boolean sameTiles(Map<EncodedTile.Id, EncodedTile> written, Map<EncodedTile.Id, byte[]> expected) {
    return written.size() == expected.size() && expected.entrySet().stream()
        .allMatch(e -> written.containsKey(e.getKey()) && Arrays.equals(written.get(e.getKey()).bytes(), e.getValue()));
  }

  static List<String> json(CompiledSource source, List<Object[]> rows) {
    return rows.stream().map(r -> Events.json(source.schema(), source.timestamp(), r)).toList();
  }

  static String version(CompiledPlan plan, String group) {
    return plan.group(group).orElseThrow().version();
  }

  /** The group of a tile id. */
  static String groupOf(EncodedTile.Id tileId) {
    return tileId.group();
  }

  static String hopOf(EncodedTile.Id tileId) {
    return Durations.format(tileId.hopMicros());
  }

  static List<String> hopsOf(CompiledPlan plan, List<String> groups) {
    List<String> out = new ArrayList<>();
    for (String g : groups) {
      plan.group(g).orElseThrow().tiles().forEach(s -> out.add(g + " hop " + Durations.format(s.hopMicros())));
    }
    return out;
  }

  static Path copyExample(Path target) throws Exception {
    Files.createDirectories(target);
    try (var files = Files.list(FlightsSample.exampleDir())) {
      for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Files.writeString(target.resolve(f.getFileName()), Files.readString(f));
      }
    }
    return target;
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
}
