package dev.strata.online;

import static dev.strata.online.FlightsFixture.EVENTS;
import static dev.strata.online.FlightsFixture.PLAN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.time.Durations;
import dev.strata.online.store.InMemoryKvStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The mirroring writer (the stream's: roll-ups and trimming from its image of each hash, no read
 * before a write) leaves every hash byte-identical to one write of all tiles by the reading
 * writer (materialize's), however the tiles are batched, across a restart, beside a concurrent
 * writer and with its images evicted; and it reads each key only to load it.
 */
class MirroringWriterTest {
  static final long FIRST = (Long) EVENTS.get(0)[0];
  static final long END = (Long) EVENTS.get(EVENTS.size() - 1)[0] + 1;

  /** What the reading writer leaves after one write of every tile: the reference. */
  static Map<String, Map<String, String>> expected() {
    InMemoryKvStore once = new InMemoryKvStore();
    List<EncodedTile> all = new ArrayList<>();
    for (EventTiler tiler : FlightsFixture.tilers()) {
      EVENTS.forEach(tiler::add);
      all.addAll(tiler.all());
    }
    KvTileWriter.builder(PLAN, once).build().write(all);
    Map<String, Map<String, String>> expected = InMemoryOnlineStoreTest.snapshot(once);
    assertThat(expected.values().stream().mapToInt(Map::size).sum()).isGreaterThan(1000);
    return expected;
  }

  /** Distinct hashes the events touch. */
  static int keys() {
    return expected().size();
  }

  @Test
  void smallBatchesEqualOneWriteAndReadEachKeyOnce() {
    InMemoryKvStore store = new InMemoryKvStore();
    KvTileWriter writer = KvTileWriter.builder(PLAN, store).batchKeys(53).mirror(1L << 30, 3_600_000).build();
    List<EventTiler> tilers = FlightsFixture.tilers();
    int batches = 0;
    for (long t = FIRST; t < END; t += 6 * Durations.HOUR) {
      FlightsFixture.stream(tilers, writer, t, Math.min(END, t + 6 * Durations.HOUR));
      batches++;
    }
    Map<String, Map<String, String>> expected = expected();
    assertThat(InMemoryOnlineStoreTest.snapshot(store)).isEqualTo(expected);
    // Each key was loaded once (its first write found it absent: one call for names, none for values) ...
    assertThat(writer.loadedKeys()).isEqualTo(expected.size());
    // ... and the store was read only for that: no value reads at all, since every key started absent.
    assertThat(store.calls()[0]).isZero();
    assertThat(store.calls()[1]).as("puts over %d batches", batches).isGreaterThan(10L * expected.size());
  }

  @Test
  void aRestartedWriterLoadsWhatItsPredecessorLeft() {
    InMemoryKvStore store = new InMemoryKvStore();
    List<EventTiler> tilers = FlightsFixture.tilers();
    long middle = (Long) EVENTS.get(EVENTS.size() / 2)[0];
    KvTileWriter first = KvTileWriter.builder(PLAN, store).mirror(1L << 30, 3_600_000).build();
    for (long t = FIRST; t < middle; t += Durations.DAY) {
      FlightsFixture.stream(tilers, first, t, Math.min(middle, t + Durations.DAY));
    }
    // A new writer (a restarted task) knows nothing: it loads each key it writes from the store.
    KvTileWriter second = KvTileWriter.builder(PLAN, store).mirror(1L << 30, 3_600_000).build();
    for (long t = middle; t < END; t += Durations.DAY) {
      FlightsFixture.stream(tilers, second, t, Math.min(END, t + Durations.DAY));
    }
    assertThat(InMemoryOnlineStoreTest.snapshot(store)).isEqualTo(expected());
    assertThat(store.calls()[0]).as("values read to load keys the first writer had written").isPositive();
    assertThat(second.loadedKeys()).isPositive().isLessThanOrEqualTo(keys());
  }

  @Test
  void aConcurrentWriterIsSeenOnceTheImageIsOlderThanMaxAge() throws InterruptedException {
    InMemoryKvStore store = new InMemoryKvStore();
    List<EventTiler> tilers = FlightsFixture.tilers();
    KvTileWriter mirroring = KvTileWriter.builder(PLAN, store).mirror(1L << 30, 1).build();
    KvTileWriter reading = KvTileWriter.builder(PLAN, store).build();
    int i = 0;
    for (long t = FIRST; t < END; t += 2 * Durations.DAY, i++) {
      Thread.sleep(2); // every image is older than its 1 ms
      FlightsFixture.stream(tilers, i % 2 == 0 ? mirroring : reading, t, Math.min(END, t + 2 * Durations.DAY));
    }
    assertThat(InMemoryOnlineStoreTest.snapshot(store)).isEqualTo(expected());
  }

  @Test
  void evictedImagesAreLoadedAgain() {
    InMemoryKvStore store = new InMemoryKvStore();
    List<EventTiler> tilers = FlightsFixture.tilers();
    KvTileWriter writer = KvTileWriter.builder(PLAN, store).mirror(0, 3_600_000).build();
    Set<String> written = new HashSet<>();
    long keyWrites = 0;
    for (long t = FIRST; t < END; t += Durations.DAY) {
      List<EncodedTile> batch = new ArrayList<>();
      for (Object[] row : EVENTS) {
        long e = (Long) row[0];
        if (e >= t && e < t + Durations.DAY) {
          tilers.forEach(x -> x.add(row));
        }
      }
      tilers.forEach(x -> batch.addAll(x.drainChanged()));
      Set<String> keysOfBatch = new HashSet<>();
      batch.forEach(tile -> keysOfBatch.add(tile.group() + tile.key()));
      keyWrites += keysOfBatch.size();
      written.addAll(keysOfBatch);
      writer.write(batch);
    }
    assertThat(InMemoryOnlineStoreTest.snapshot(store)).isEqualTo(expected());
    // No image survives a write under a budget of 0 bytes: every key write loaded its key.
    assertThat(writer.loadedKeys()).isEqualTo(keyWrites).isGreaterThan(written.size());
  }
}
