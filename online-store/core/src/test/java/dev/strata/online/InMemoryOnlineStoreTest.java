package dev.strata.online;

import static dev.strata.online.FlightsFixture.EVENTS;
import static dev.strata.online.FlightsFixture.PLAN;
import static dev.strata.online.FlightsFixture.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.time.Durations;
import dev.strata.online.store.InMemoryKvStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Read planning, assembly, roll-ups and trimming on the in-memory store: the same reader and
 * writer as on Redis, in seconds and without a server.
 */
class InMemoryOnlineStoreTest {
  static long instant(double quantile, long offset) {
    return (Long) EVENTS.get((int) (EVENTS.size() * quantile))[0] + offset;
  }

  @Test
  void streamedTilesReadBackAsTheOracleAtEveryStage() {
    InMemoryKvStore store = new InMemoryKvStore();
    OnlineStore online = OnlineStore.of(PLAN, store, RedisLayout.standard());
    TileWriter writer = online.writer().batchKeys(41).build();
    List<EventTiler> tilers = FlightsFixture.tilers();
    long from = Long.MIN_VALUE;
    int checked = 0;
    for (long t : new long[] {instant(0.2, 7 * Durations.MINUTE + 1), instant(0.5, 0), instant(0.9, 3)}) {
      FlightsFixture.stream(tilers, writer, from, t);
      from = t;
      List<Map<String, Object>> rows = FlightsFixture.rows(t, 150, 5);
      checked += FlightsFixture.assertMatchesOracle(online.reader().build().getOnlineFeatures(SERVICE, rows, t), rows, t);
      // Chunked over threads: the same values.
      OnlineReader chunked = online.reader().parallelism(3).parallelRows(4).build();
      FlightsFixture.assertSameFeatures(chunked.getOnlineFeatures(SERVICE, rows, t),
          online.reader().build().getOnlineFeatures(SERVICE, rows, t));
    }
    assertThat(checked).isGreaterThan(3_000);
  }

  /** Time-ordered batches (each trimming what fell out of every window) equal one write of everything. */
  @Test
  void incrementalTrimmingEqualsOneWrite() {
    InMemoryKvStore once = new InMemoryKvStore();
    InMemoryKvStore ranged = new InMemoryKvStore();
    InMemoryKvStore scanned = new InMemoryKvStore();
    KvTileWriter rangedWriter = KvTileWriter.builder(PLAN, ranged).build();
    KvTileWriter scannedWriter = KvTileWriter.builder(PLAN, scanned).maxTrimFields(2).build();
    List<EventTiler> tilers = FlightsFixture.tilers();
    List<EventTiler> scanTilers = FlightsFixture.tilers();
    long first = (Long) EVENTS.get(0)[0];
    long end = (Long) EVENTS.get(EVENTS.size() - 1)[0] + 1;
    for (long t = first; t < end; t += 2 * Durations.DAY) {
      FlightsFixture.stream(tilers, rangedWriter, t, Math.min(end, t + 2 * Durations.DAY));
      FlightsFixture.stream(scanTilers, scannedWriter, t, Math.min(end, t + 2 * Durations.DAY));
    }
    List<EncodedTile> all = new ArrayList<>();
    for (EventTiler tiler : FlightsFixture.tilers()) {
      EVENTS.forEach(tiler::add);
      all.addAll(tiler.all());
    }
    KvTileWriter.builder(PLAN, once).build().write(all);
    Map<String, Map<String, String>> expected = snapshot(once);
    assertThat(expected.values().stream().mapToInt(Map::size).sum()).isGreaterThan(1000);
    assertThat(snapshot(ranged)).isEqualTo(expected);
    assertThat(snapshot(scanned)).isEqualTo(expected);
    assertThat(rangedWriter.scannedKeys()).isPositive().isLessThan(scannedWriter.scannedKeys());
    // TTLs: the group's ttl (30d for origin_delays) plus the one-day margin.
    CompiledGroup g = PLAN.group("origin_delays").orElseThrow();
    byte[] ord = RedisLayout.standard().keyBytes(g, List.of("ORD"));
    assertThat(once.ttlMillis(ord)).isEqualTo((30 + 1) * Durations.DAY / 1000);
  }

  static Map<String, Map<String, String>> snapshot(InMemoryKvStore store) {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (String key : store.keys()) {
      Map<String, String> fields = new HashMap<>();
      store.hash(key.getBytes(StandardCharsets.UTF_8)).forEach((f, v) -> fields.put(f, HexFormat.of().formatHex(v)));
      if (!fields.isEmpty()) {
        out.put(key, fields);
      }
    }
    return out;
  }
}
