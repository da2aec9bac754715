package dev.strata.online;

import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.time.Durations;
import dev.strata.online.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Writes tiles into a {@link KvStore} in the {@link RedisLayout}: the tiles themselves, their
 * dyadic roll-ups, the latest event time, trimming and the key's TTL. The {@link TileWriter} of
 * Spark materialize and the Flink sink.
 *
 * <p>A batch takes two store calls: one reads what the roll-ups need and is not in the
 * batch (sibling blocks and the stored latest event time), one writes. Trimming needs no read:
 * every write deletes the blocks that start before the widest window as of the key's latest
 * event, so the blocks to delete now are exactly those starting between the cut-off of the
 * stored latest event time and the new one (HDEL of absent fields is a no-op). A key whose
 * range would take more than {@code maxTrimFields} names (one idle for long: after a gap nearly
 * all of them are absent, and Redis looks up each) has its field names read instead, in a third
 * call. New blocks are set before old ones are deleted, so a concurrent read never sees a
 * block it needs missing. (Deleting a key idle past all its windows whole would be cheaper, but a
 * read between its DEL and HSET would see the key as not found.)
 * Writes are whole-block overwrites computed from tiles, so replaying a batch rewrites the same
 * bytes. Roll-ups are read-modify-write: at most one writer per entity key at a time (Flink's
 * keyBy gives that); a concurrent writer of the same key may leave a stale roll-up until the next
 * write of that key.
 *
 * <p>Thread-safe (the store is).
 */
public final class KvTileWriter implements TileWriter {
  private final CompiledPlan plan;
  private final KvStore store;
  private final RedisLayout layout;
  private final long ttlMarginMicros;
  private final int batchKeys;
  private final int maxTrimFields;
  private final Map<String, GroupState> groups = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicLong scannedKeys = new java.util.concurrent.atomic.AtomicLong();

  private KvTileWriter(Builder b) {
    this.plan = b.plan;
    this.store = b.store;
    this.layout = b.layout;
    this.ttlMarginMicros = b.ttlMarginMicros;
    this.batchKeys = b.batchKeys;
    this.maxTrimFields = b.maxTrimFields;
    for (CompiledGroup g : plan.groups()) {
      if (g.online()) {
        groups.put(g.name(), new GroupState(GroupTiler.of(plan, g.name())));
      }
    }
  }

  /** A writer into {@code store} (keys named by the layout, {@link RedisLayout#standard()} by default). */
  public static Builder builder(CompiledPlan plan, KvStore store) {
    return new Builder(plan, store);
  }

  /** Writes the tiles, {@code batchKeys} keys per pair of store calls. */
  @Override
  public void write(List<EncodedTile> tiles) {
    // Tiles of one Redis key in one call are gathered first (a later tile of the same id wins).
    Map<String, Pending> byKey = new LinkedHashMap<>();
    for (EncodedTile tile : tiles) {
      GroupState gs = groups.get(tile.group());
      if (gs == null) {
        throw new IllegalArgumentException("Cannot write tiles of group '" + tile.group() + "': no such online group in the plan");
      }
      if (!gs.group.version().equals(tile.groupVersion())) {
        throw new IllegalArgumentException("Cannot write tiles of group '" + tile.group() + "' version " + tile.groupVersion()
            + ": the plan has version " + gs.group.version() + " (backfill and materialize the current version)");
      }
      int spec = gs.geometry.specOfHop(tile.hopMicros());
      if (gs.geometry.tileStart(spec, tile.startMicros()) != tile.startMicros()) {
        throw new IllegalArgumentException("Cannot write tile of group '" + tile.group() + "' at "
            + Durations.formatInstant(tile.startMicros()) + ": not a multiple of its hop " + Durations.format(tile.hopMicros()));
      }
      String key = layout.key(gs.group, tile.key());
      Pending p = byKey.computeIfAbsent(key, k -> new Pending(gs, k));
      p.latest = Math.max(p.latest, tile.latestEventMicros());
      p.tiles.get(spec).put(tile.startMicros(), tile.bytes());
    }
    List<Pending> all = new ArrayList<>(byKey.values());
    for (int i = 0; i < all.size(); i += batchKeys) {
      writeChunk(all.subList(i, Math.min(all.size(), i + batchKeys)));
    }
  }

  private void writeChunk(List<Pending> chunk) {
    try {
      List<KvStore.Get> reads = new ArrayList<>(chunk.size());
      for (Pending pending : chunk) {
        pending.plan();
        reads.add(new KvStore.Get(pending.keyBytes, store.fields(pending.readFields)));
      }
      store.multiGet(reads, (i, values) -> chunk.get(i).read = values);
      List<Pending> scans = new ArrayList<>();
      for (Pending pending : chunk) {
        pending.compute();
        if (pending.scanToTrim) {
          scans.add(pending);
        }
      }
      scannedKeys.addAndGet(scans.size());
      if (!scans.isEmpty()) {
        List<List<byte[]>> names = store.fieldNames(scans.stream().map(p -> p.keyBytes).toList());
        for (int i = 0; i < scans.size(); i++) {
          scans.get(i).trimFromScan(names.get(i));
        }
      }
      List<KvStore.Put> puts = new ArrayList<>(chunk.size());
      for (Pending pending : chunk) {
        puts.add(new KvStore.Put(pending.keyBytes, new ArrayList<>(pending.sets.keySet()), new ArrayList<>(pending.sets.values()),
            pending.deletes, pending.state.ttlMillis));
      }
      store.multiPut(puts);
    } catch (OnlineStoreException e) {
      throw new OnlineStoreException("Cannot write tiles: " + e.getMessage(), e.getCause());
    }
  }

  /** Keys written so far whose field names were read to trim them. */
  long scannedKeys() {
    return scannedKeys.get();
  }

  /** Per group: tiler, geometry, TTL. */
  private final class GroupState {
    final CompiledGroup group;
    final GroupTiler tiler;
    final TileGeometry geometry;
    final byte[][] hopPrefix;
    final long ttlMillis;

    GroupState(GroupTiler tiler) {
      this.tiler = tiler;
      this.group = tiler.group();
      this.geometry = tiler.geometry();
      this.hopPrefix = new byte[geometry.specCount()][];
      for (int s = 0; s < hopPrefix.length; s++) {
        hopPrefix[s] = RedisLayout.hopPrefix(geometry.hop(s));
      }
      OptionalLong retention = geometry.retentionMicros();
      this.ttlMillis = retention.isPresent() ? (retention.getAsLong() + ttlMarginMicros) / 1000 : 0;
    }
  }

  /** One Redis key being written: what to read, then what to set and delete. */
  private final class Pending {
    final GroupState state;
    final byte[] keyBytes;
    final List<TreeMap<Long, byte[]>> tiles = new ArrayList<>(); // per spec: start -> the tile's bytes
    long latest = Long.MIN_VALUE;
    // Per spec and level >= 1: block start -> computed IRs (null until computed).
    final List<List<TreeMap<Long, Object[]>>> affected = new ArrayList<>();
    final List<byte[]> readFields = new ArrayList<>();
    final List<String> readNames = new ArrayList<>();
    List<byte[]> read; // the store's reply to readFields
    final Map<byte[], byte[]> sets = new LinkedHashMap<>();
    final List<byte[]> deletes = new ArrayList<>();
    final long[] cutoff;
    boolean scanToTrim;

    Pending(GroupState state, String key) {
      this.state = state;
      this.keyBytes = key.getBytes(StandardCharsets.UTF_8);
      for (int s = 0; s < state.geometry.specCount(); s++) {
        tiles.add(new TreeMap<>());
      }
      this.cutoff = new long[state.geometry.specCount()];
    }

    /** Which blocks the batch changes, and which unchanged siblings must be read to roll up. */
    void plan() {
      readFields.add(RedisLayout.LATEST_FIELD_BYTES);
      readNames.add(RedisLayout.LATEST_FIELD);
      TileGeometry geometry = state.geometry;
      for (int s = 0; s < tiles.size(); s++) {
        long hop = geometry.hop(s);
        List<TreeMap<Long, Object[]>> levels = new ArrayList<>();
        TreeMap<Long, Object[]> level0 = new TreeMap<>(); // the starts of this write's tiles
        for (Long start : tiles.get(s).keySet()) {
          level0.put(start, null);
        }
        levels.add(level0);
        for (int k = 1; k < geometry.levels(s); k++) {
          TreeMap<Long, Object[]> level = new TreeMap<>();
          for (Long child : levels.get(k - 1).keySet()) {
            level.put(geometry.blockStart(s, k, child), null);
          }
          levels.add(level);
          long childSpan = geometry.span(s, k - 1);
          for (Long block : level.keySet()) {
            for (long child : new long[] {block, block + childSpan}) {
              if (!levels.get(k - 1).containsKey(child)) {
                String name = RedisLayout.field(hop, childSpan, child);
                readNames.add(name);
                readFields.add(name.getBytes(StandardCharsets.UTF_8));
              }
            }
          }
        }
        affected.add(levels);
      }
    }

    void compute() {
      Map<String, byte[]> stored = new HashMap<>();
      for (int i = 0; i < readNames.size(); i++) {
        if (read.get(i) != null) {
          stored.put(readNames.get(i), read.get(i));
        }
      }
      byte[] storedLatestBytes = stored.get(RedisLayout.LATEST_FIELD);
      long storedLatest = storedLatestBytes == null ? Long.MIN_VALUE : RedisLayout.parseLatest(storedLatestBytes);
      long latestAll = Math.max(latest, storedLatest); // every write carries an event time: latest is set
      sets.put(RedisLayout.LATEST_FIELD_BYTES, Long.toString(latestAll).getBytes(StandardCharsets.US_ASCII));
      TileGeometry geometry = state.geometry;
      for (int s = 0; s < tiles.size(); s++) {
        long hop = geometry.hop(s);
        // Reads happen as of instants after the latest event: blocks starting before the trim
        // bound as of it are never read again, and are not written.
        cutoff[s] = geometry.trimBefore(s, latestAll);
        RowAggregator agg = state.tiler.aggregator(s);
        List<TreeMap<Long, Object[]>> levels = affected.get(s);
        // Level 0: the tiles' own bytes, written as they came.
        for (Map.Entry<Long, byte[]> e : tiles.get(s).entrySet()) {
          if (e.getKey() >= cutoff[s]) {
            sets.put(RedisLayout.fieldBytes(hop, hop, e.getKey()), e.getValue());
          }
        }
        // Levels >= 1: each changed block merged from its two children (this write's or stored).
        for (int k = 1; k < levels.size(); k++) {
          long span = geometry.span(s, k);
          long childSpan = geometry.span(s, k - 1);
          for (Map.Entry<Long, Object[]> e : levels.get(k).entrySet()) {
            Object[] merged = null;
            for (long child : new long[] {e.getKey(), e.getKey() + childSpan}) {
              if (k == 1 && tiles.get(s).containsKey(child)) {
                merged = agg.mergeEncoded(merged == null ? agg.create() : merged, tiles.get(s).get(child));
              } else if (k > 1 && levels.get(k - 1).containsKey(child)) {
                Object[] irs = levels.get(k - 1).get(child);
                if (irs != null) {
                  merged = merged == null ? agg.copy(irs) : agg.merge(merged, irs);
                }
              } else {
                byte[] bytes = stored.get(RedisLayout.field(hop, childSpan, child));
                if (bytes != null) {
                  merged = agg.mergeEncoded(merged == null ? agg.create() : merged, bytes);
                }
              }
            }
            e.setValue(merged);
            if (merged != null && e.getKey() >= cutoff[s]) {
              sets.put(RedisLayout.fieldBytes(hop, span, e.getKey()), agg.encode(merged));
            }
          }
        }
      }
      if (storedLatestBytes == null) {
        return; // a new key: nothing stored to trim
      }
      // Blocks starting in [old cut-off, new cut-off): the previous write removed everything older.
      if (trimRanges(storedLatest, false) > maxTrimFields) {
        scanToTrim = true; // idle for long: reading the field names is cheaper than naming them all
      } else {
        trimRanges(storedLatest, true);
      }
    }

    /**
     * The blocks of every spec with finite windows that start in [cut-off as of the stored latest
     * event, new cut-off): counted (each level's count capped just above the limit), or, with
     * {@code delete}, named into {@link #deletes}.
     */
    private long trimRanges(long storedLatest, boolean delete) {
      long blocks = 0;
      TileGeometry geometry = state.geometry;
      for (int s = 0; s < tiles.size(); s++) {
        if (geometry.keepsEverything(s)) {
          continue; // a lifetime window: nothing to trim
        }
        long hop = geometry.hop(s);
        long oldCutoff = geometry.trimBefore(s, storedLatest);
        for (int k = 0; k < geometry.levels(s); k++) {
          long span = geometry.span(s, k);
          long first = geometry.firstBlockFrom(s, k, oldCutoff);
          if (!delete) {
            blocks += cutoff[s] > first ? Math.min(maxTrimFields + 1L, (cutoff[s] - first + span - 1) / span) : 0;
            continue;
          }
          for (long start = first; start < cutoff[s]; start += span) {
            deletes.add(RedisLayout.fieldBytes(hop, span, start));
          }
        }
      }
      return blocks;
    }

    /** Deletes, from the hash's actual field names, every block before the cut-off. */
    void trimFromScan(List<byte[]> fieldNames) {
      for (byte[] field : fieldNames) {
        for (int s = 0; s < tiles.size(); s++) {
          long start = RedisLayout.blockStart(field, state.hopPrefix[s]);
          if (start != Long.MIN_VALUE) {
            if (start < cutoff[s]) {
              deletes.add(field);
            }
            break; // one spec per hop
          }
        }
      }
    }
  }

  public static final class Builder {
    private final CompiledPlan plan;
    private final KvStore store;
    private RedisLayout layout = RedisLayout.standard();
    private long ttlMarginMicros = Durations.DAY;
    private int batchKeys = 500;
    private int maxTrimFields = 64;

    private Builder(CompiledPlan plan, KvStore store) {
      this.plan = Objects.requireNonNull(plan, "plan");
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder layout(RedisLayout layout) {
      this.layout = Objects.requireNonNull(layout, "layout");
      return this;
    }

    /** Added to the group's TTL (or its largest window when it has none). Default 1 day. */
    public Builder ttlMarginMicros(long micros) {
      this.ttlMarginMicros = micros;
      return this;
    }

    /** Keys per pair of store calls (read what roll-ups need, then write). Default 500. */
    public Builder batchKeys(int keys) {
      if (keys <= 0) {
        throw new IllegalArgumentException("Cannot set batch size " + keys + ": it must be positive");
      }
      this.batchKeys = keys;
      return this;
    }

    /**
     * Fields a write may delete by name before it reads the hash's field names instead. Default 64:
     * HDEL looks up every name, most of them absent after a gap, and a name costs Redis about as much
     * as a whole HKEYS of a small hash (benchmarks/streaming).
     */
    Builder maxTrimFields(int fields) {
      this.maxTrimFields = fields;
      return this;
    }

    public KvTileWriter build() {
      return new KvTileWriter(this);
    }
  }
}
