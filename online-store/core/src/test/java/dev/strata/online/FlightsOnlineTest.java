package dev.strata.online;

import static dev.strata.online.FlightsFixture.EVENTS;
import static dev.strata.online.FlightsFixture.PLAN;
import static dev.strata.online.FlightsFixture.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.time.Durations;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.RedisKvStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * The flights sample streamed into the real Redis (database 9) in three stages; after each,
 * every feature of the service read online equals the oracle as of that instant; later instants
 * expire windows at read time.
 */
class FlightsOnlineTest {
  static final OnlineStoreConfig CONFIG = OnlineStoreConfig.builder().node("127.0.0.1", 6379).database(9).prefix("t-flights").build();
  static UnifiedJedis redis;

  @BeforeAll
  static void connect() {
    redis = RedisConnections.open(CONFIG);
    redis.flushDB();
  }

  @AfterAll
  static void cleanUp() {
    redis.flushDB();
    redis.close();
  }

  static long instant(double quantile, long offset) {
    long t = (Long) EVENTS.get((int) (EVENTS.size() * quantile))[0];
    return t + offset;
  }

  @Test
  void servedValuesEqualTheOracleAsOfEachStageAndExpireLater() {
    RedisLayout layout = new RedisLayout(CONFIG.prefix());
    TileWriter writer = KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build();
    List<EventTiler> tilers = FlightsFixture.tilers();
    // Odd offsets and an hour boundary: heads partly filled, empty, and windows cut mid-block.
    long[] stages = {
        instant(0.3, 17 * Durations.MINUTE + 3 * Durations.SECOND),
        Durations.floor(instant(0.6, 0), Durations.HOUR) + Durations.HOUR,
        instant(0.95, 1)};
    long from = Long.MIN_VALUE;
    int checked = 0;
    for (int i = 0; i < stages.length; i++) {
      long t = stages[i];
      FlightsFixture.stream(tilers, writer, from, t);
      from = t;
      OnlineReader reader = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(layout)
          .clock(java.time.Clock.fixed(Durations.toInstant(t), java.time.ZoneOffset.UTC)).build();
      List<Map<String, Object>> rows = FlightsFixture.rows(t, 120, i);
      OnlineFeatures got = reader.getOnlineFeatures(SERVICE, rows);
      assertThat(got.asOfMicros()).isEqualTo(t);
      checked += FlightsFixture.assertMatchesOracle(got, rows, t);
      assertThat(got.status(rows.size() - 1, 0)).isEqualTo(FeatureStatus.NOT_FOUND);
      assertThat(got.status(0, 0)).isEqualTo(FeatureStatus.PRESENT);
      checked += assertEveryGroupFeature(reader, rows, t);
    }
    assertThat(checked).isGreaterThan(3000);

    // No more events: windows slide past the data at read time.
    long last = stages[stages.length - 1];
    OnlineReader reader = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build();
    List<Map<String, Object>> rows = FlightsFixture.rows(last, 60, 7);
    for (long later : new long[] {last + 2 * Durations.HOUR, last + 3 * Durations.DAY + 5, last + 8 * Durations.DAY}) {
      FlightsFixture.assertMatchesOracle(reader.getOnlineFeatures(SERVICE, rows, later), rows, later, FlightsFixture.before(last));
    }
    OnlineFeatures weekLater = reader.getOnlineFeatures(SERVICE, rows, last + 8 * Durations.DAY);
    int avg7d = weekLater.featureNames().indexOf("origin_delays.avg_delay_7d");
    int flights30d = weekLater.featureNames().indexOf("route_delays.flights_30d");
    assertThat(weekLater.value(0, avg7d)).isNull();
    assertThat(weekLater.status(0, avg7d)).isEqualTo(FeatureStatus.PRESENT);
    assertThat((Long) weekLater.value(0, flights30d)).isPositive();
    // Past the 30d TTL of origin_delays, not the 60d of route_delays.
    OnlineFeatures monthLater = reader.getOnlineFeatures(SERVICE, rows, last + 31 * Durations.DAY);
    assertThat(monthLater.status(0, avg7d)).isEqualTo(FeatureStatus.OUTSIDE_TTL);
    assertThat(monthLater.value(0, avg7d)).isNull();
    assertThat(monthLater.status(0, flights30d)).isEqualTo(FeatureStatus.PRESENT);
    assertThat(monthLater.eventTimeMicros(0, avg7d)).isLessThanOrEqualTo(last);
  }

  @Test
  void lateAndOutOfOrderWritesLeaveTheRollUpsExact() {
    RedisLayout layout = new RedisLayout("t-late");
    TileWriter writer = KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).batchKeys(37).build();
    long t = instant(0.7, 29 * Durations.MINUTE);
    List<Object[]> before = new java.util.ArrayList<>(FlightsFixture.before(t));
    java.util.Collections.shuffle(before, new java.util.Random(5));
    List<EventTiler> tilers = FlightsFixture.tilers();
    int chunk = before.size() / 7 + 1;
    for (int i = 0; i < before.size(); i += chunk) {
      for (Object[] row : before.subList(i, Math.min(before.size(), i + chunk))) {
        tilers.forEach(x -> x.add(row));
      }
      List<EncodedTile> batch = new java.util.ArrayList<>();
      tilers.forEach(x -> batch.addAll(x.drainChanged()));
      writer.write(batch);
    }
    OnlineReader reader = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build();
    List<Map<String, Object>> rows = FlightsFixture.rows(t, 100, 3);
    assertThat(FlightsFixture.assertMatchesOracle(reader.getOnlineFeatures(SERVICE, rows, t), rows, t)).isGreaterThan(1000);
    assertThat(assertEveryGroupFeature(reader, rows, t)).isGreaterThan(1000);
  }

  @Test
  void requestsReadInStreamedOrParallelChunksEqualOnePipeline() {
    RedisLayout layout = new RedisLayout("t-par");
    long t = instant(0.8, 11 * Durations.MINUTE);
    List<EncodedTile> batch = new ArrayList<>();
    for (EventTiler tiler : FlightsFixture.tilers()) {
      FlightsFixture.before(t).forEach(tiler::add);
      batch.addAll(tiler.all());
    }
    KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build().write(batch);
    List<Map<String, Object>> rows = FlightsFixture.rows(t, 90, 21);
    OnlineFeatures onePipeline = OnlineReader.builder(PLAN, RedisKvStore.builder(redis).pipelined().build()).layout(layout).parallelism(1).build()
        .getOnlineFeatures(SERVICE, rows, t);
    OnlineReader parallel = OnlineReader.builder(PLAN, RedisKvStore.builder(redis).pipelined().build()).layout(layout).parallelism(4).parallelRows(7).build();
    OnlineReader streamed = OnlineReader.builder(PLAN, RedisKvStore.builder(redis).streamRequests(21).build()).layout(layout).build();
    for (OnlineReader reader : List.of(parallel, streamed)) {
      OnlineFeatures chunked = reader.getOnlineFeatures(SERVICE, rows, t);
      assertThat(chunked.size()).isEqualTo(rows.size());
      FlightsFixture.assertSameFeatures(chunked, onePipeline);
      FlightsFixture.assertMatchesOracle(chunked, rows, t);
      // A bad row in the last chunk is named by its index in the request, not in its chunk.
      List<Map<String, Object>> bad = new ArrayList<>(rows);
      bad.set(85, Map.of("airport", "ORD"));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.getOnlineFeatures(SERVICE, bad, t))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entity row 85 ");
    }
  }

  /**
   * A streamed read that fails part way (a corrupted block, a key that is not a hash) reports it
   * and leaves its pooled connection clean: the next read on the pool's only connection gets its
   * own replies, not the failed read's leftovers.
   */
  @Test
  void aStreamedReadThatFailsPartWayLeavesItsConnectionClean() {
    OnlineStoreConfig one = OnlineStoreConfig.builder().node("127.0.0.1", 6379).database(9).prefix("t-fail")
        .maxConnections(1).build();
    RedisLayout layout = new RedisLayout(one.prefix());
    long t = instant(0.8, 11 * Durations.MINUTE);
    List<EncodedTile> batch = new ArrayList<>();
    for (EventTiler tiler : FlightsFixture.tilers()) {
      FlightsFixture.before(t).forEach(tiler::add);
      batch.addAll(tiler.all());
    }
    try (UnifiedJedis client = RedisConnections.open(one)) {
      KvTileWriter.builder(PLAN, RedisKvStore.of(client)).layout(layout).build().write(batch);
      OnlineReader reader = OnlineReader.builder(PLAN, RedisKvStore.builder(client).streamRequests(15).build()).layout(layout).build();
      List<Map<String, Object>> rows = FlightsFixture.rows(t, 60, 33);
      OnlineFeatures before = reader.getOnlineFeatures(SERVICE, rows, t);
      FlightsFixture.assertMatchesOracle(before, rows, t);

      // Corrupt every block of the first found key: the read fails in its first chunk.
      int first = 0;
      while (before.status(first, 0) != FeatureStatus.PRESENT) {
        first++;
      }
      int found = first;
      CompiledGroup group = PLAN.group(PLAN.service(SERVICE).orElseThrow().groups().get(0)).orElseThrow();
      List<Object> entityKey = PLAN.entity(group.entity()).orElseThrow().keys().stream()
          .map(k -> rows.get(found).get(k.name())).toList();
      byte[] key = layout.keyBytes(group, entityKey);
      Map<byte[], byte[]> saved = client.hgetAll(key);
      assertThat(saved).isNotEmpty();
      for (byte[] field : saved.keySet()) {
        if (field[0] != '@') {
          client.hset(key, field, new byte[] {1, 2, 3});
        }
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.getOnlineFeatures(SERVICE, rows, t))
          .isInstanceOf(OnlineStoreException.class).hasMessageContaining("are not valid (Cannot decode");
      client.hset(key, saved);
      assertSameValues(reader.getOnlineFeatures(SERVICE, rows, t), before);

      // A key that is not a hash: Redis's error reply, as an OnlineStoreException.
      client.del(key);
      client.set(key, "not a hash".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.getOnlineFeatures(SERVICE, rows, t))
          .isInstanceOf(OnlineStoreException.class).hasMessageContaining("WRONGTYPE");
      client.del(key);
      client.hset(key, saved);
      assertSameValues(reader.getOnlineFeatures(SERVICE, rows, t), before);
    } finally {
      try (UnifiedJedis client = RedisConnections.open(one)) {
        for (String k : client.keys(one.prefix() + ":*")) {
          client.del(k);
        }
      }
    }
  }

  private static void assertSameValues(OnlineFeatures got, OnlineFeatures expected) {
    assertThat(got.size()).isEqualTo(expected.size());
    for (int r = 0; r < got.size(); r++) {
      assertThat(got.row(r)).as("row %d", r).isEqualTo(expected.row(r));
    }
  }

  /** Every feature of every online group (lifetime, last_k, stddev, sketches too), read by name. */
  static int assertEveryGroupFeature(OnlineReader reader, List<Map<String, Object>> rows, long t) {
    int checked = 0;
    for (CompiledGroup g : PLAN.groups()) {
      List<String> refs = g.features().stream().map(f -> f.qualifiedName()).toList();
      OnlineFeatures got = reader.getOnlineFeaturesByName(refs, rows, t);
      for (int r = 0; r < rows.size() - 1; r++) {
        List<Object> key = g.entity().equals("airport") ? List.of(rows.get(r).get("airport"))
            : List.of(rows.get(r).get("origin"), rows.get(r).get("destination"));
        Map<String, Object> expected = FlightsFixture.ORACLE.groupFeatures(g.name(), EVENTS, key, t);
        for (int f = 0; f < refs.size(); f++) {
          if (got.status(r, f) == FeatureStatus.PRESENT) {
            assertThat(got.value(r, f)).as("%s for %s", refs.get(f), key).isEqualTo(expected.get(g.features().get(f).name()));
            checked++;
          }
        }
      }
    }
    return checked;
  }

  @Test
  void writesAreIdempotentTrimmedAndExpire() {
    RedisLayout layout = new RedisLayout("t-idem");
    TileWriter writer = KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build();
    EventTiler tiler = new EventTiler(PLAN, "origin_delays");
    EVENTS.forEach(tiler::add);
    List<EncodedTile> all = tiler.all();
    writer.write(all);
    Map<String, Map<String, String>> first = snapshot(layout, all);
    writer.write(all);
    writer.write(all.subList(0, 5));
    assertThat(snapshot(layout, all)).isEqualTo(first);

    CompiledGroup g = PLAN.group("origin_delays").orElseThrow();
    for (EncodedTile kt : all) {
      String key = layout.key(g, kt.key());
      long ttl = redis.pttl(key);
      assertThat(ttl).isGreaterThan(30 * Durations.DAY / 1000).isLessThanOrEqualTo(31 * Durations.DAY / 1000);
      for (String field : redis.hkeys(key)) {
        RedisLayout.Block b = RedisLayout.parseField(field);
        if (b != null) {
          long widest = 0;
          for (var f : g.features()) {
            if (f.hopMicros() == b.hopMicros()) {
              widest = Math.max(widest, f.window().micros());
            }
          }
          // Nothing before the widest window as of the key's latest event survives.
          assertThat(b.startMicros()).as(field).isGreaterThanOrEqualTo(Durations.floor(kt.latestEventMicros() - widest, b.hopMicros()));
        }
      }
    }
  }

  /**
   * Streaming in time-ordered batches (each write trims by the range between the old and the new
   * cut-off, or by reading field names after a long gap) leaves every hash byte-identical to one
   * write of all tiles at the end: nothing stale survives, nothing live is lost.
   */
  @Test
  void incrementalTrimmingEqualsOneWrite() {
    RedisLayout once = new RedisLayout("t-trim-once");
    RedisLayout ranged = new RedisLayout("t-trim-ranged");
    RedisLayout scanned = new RedisLayout("t-trim-scanned");
    KvTileWriter rangedWriter = KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(ranged).build();
    KvTileWriter scannedWriter = KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(scanned).maxTrimFields(2).build();
    // The stream's writer: trims from its image of each hash, never reading before a write.
    RedisLayout mirrored = new RedisLayout("t-trim-mirrored");
    KvTileWriter mirroredWriter = KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(mirrored).mirror(1L << 30, 3_600_000).build();
    List<EventTiler> tilers = FlightsFixture.tilers();
    List<EventTiler> scanTilers = FlightsFixture.tilers();
    List<EventTiler> mirrorTilers = FlightsFixture.tilers();
    long from = (Long) EVENTS.get(0)[0];
    long to = (Long) EVENTS.get(EVENTS.size() - 1)[0] + 1;
    // Batches of 2 days: keys idle for weeks take the scan path even with the default limit.
    for (long t = from; t < to; t += 2 * Durations.DAY) {
      FlightsFixture.stream(tilers, rangedWriter, t, Math.min(to, t + 2 * Durations.DAY));
      FlightsFixture.stream(scanTilers, scannedWriter, t, Math.min(to, t + 2 * Durations.DAY));
      FlightsFixture.stream(mirrorTilers, mirroredWriter, t, Math.min(to, t + 2 * Durations.DAY));
    }
    List<EncodedTile> all = new ArrayList<>();
    for (EventTiler tiler : FlightsFixture.tilers()) {
      EVENTS.forEach(tiler::add);
      all.addAll(tiler.all());
    }
    KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(once).build().write(all);
    Map<String, Map<String, String>> expected = snapshot(once, all);
    long trimmedGroups = PLAN.groups().stream().filter(g -> g.online() && !g.maxWindow().isLifetime()).count();
    assertThat(trimmedGroups).as("the sample has groups whose old blocks are trimmed").isPositive();
    assertThat(expected.values().stream().mapToInt(Map::size).sum()).isGreaterThan(1000);
    assertThat(renamed(snapshot(ranged, all), ranged, once)).isEqualTo(expected);
    assertThat(renamed(snapshot(scanned, all), scanned, once)).isEqualTo(expected);
    assertThat(renamed(snapshot(mirrored, all), mirrored, once)).isEqualTo(expected);
    // Both ways of trimming ran in both writers: long ranges by reading field names (more of
    // them under the low limit), the rest by naming the blocks.
    assertThat(rangedWriter.scannedKeys()).isPositive();
    assertThat(rangedWriter.scannedKeys()).isLessThan(scannedWriter.scannedKeys());
  }

  private static Map<String, Map<String, String>> renamed(Map<String, Map<String, String>> snapshot, RedisLayout from, RedisLayout to) {
    Map<String, Map<String, String>> out = new HashMap<>();
    snapshot.forEach((k, v) -> out.put(to.prefix() + k.substring(from.prefix().length()), v));
    return out;
  }

  static Map<String, Map<String, String>> snapshot(RedisLayout layout, List<EncodedTile> tiles) {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (EncodedTile kt : tiles) {
      String key = layout.key(PLAN.group(kt.group()).orElseThrow(), kt.key());
      Map<String, String> fields = new HashMap<>();
      redis.hgetAll(key.getBytes(StandardCharsets.UTF_8)).forEach((f, v) ->
          fields.put(new String(f, StandardCharsets.UTF_8), java.util.HexFormat.of().formatHex(v)));
      out.put(key, fields);
    }
    return out;
  }
}
