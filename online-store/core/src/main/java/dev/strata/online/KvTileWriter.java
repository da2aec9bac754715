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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes tiles into a {@link KvStore} in the {@link RedisLayout}: the tiles themselves, their
 * dyadic roll-ups, the latest event time, trimming and the key's TTL. The {@link TileWriter} of
 * Spark materialize and the Flink sink.
 *
 * <p>A block of level k ≥ 1 is always computed the same way, whoever writes it: the merge of its
 * two children, each either written in the same call or as the store holds it (so batch and
 * stream leave the same bytes). Writes are whole-block overwrites computed from tiles, so
 * replaying a batch rewrites the same bytes.
 *
 * <p><b>Reading writer</b> (the default, for materialize: every key is written once or twice). A
 * batch takes two store calls: one reads what the roll-ups need and is not in the
 * batch (sibling blocks and the stored latest event time), one writes. Trimming needs no read:
 * every write deletes the blocks that start before the widest window as of the key's latest
 * event, so the blocks to delete now are exactly those starting between the cut-off of the
 * stored latest event time and the new one (HDEL of absent fields is a no-op). A key whose
 * range would take more than {@code maxTrimFields} names (one idle for long: after a gap nearly
 * all of them are absent, and Redis looks up each) has its field names read instead, in a third
 * call. New blocks are set before old ones are deleted, so a concurrent read never sees a
 * block it needs missing. (Deleting a key idle past all its windows whole would be cheaper, but a
 * read between its DEL and HSET would see the key as not found.)
 * Roll-ups are read-modify-write: at most one writer per entity key at a time (Flink's
 * keyBy gives that); a concurrent writer of the same key may leave a stale roll-up until the next
 * write of that key.
 *
 * <p><b>Mirroring writer</b> ({@link Builder#mirror}, for the stream: the same keys are written
 * every few hundred milliseconds). The writer keeps an image of each hash it writes: every block
 * field and the latest event time, as loaded from the store the first time the writer meets the
 * key (its field names, then their values: two calls, once) and as changed by its own successful
 * writes since. A batch then takes one store call, a pipeline of HSET, HDEL and PEXPIRE per key:
 * siblings and the stored latest event time come from the image, and trimming deletes exactly
 * the image's fields before the new cut-off (the fields the reading writer's range or scan would
 * find). The blocks, the latest event time and the deletes are computed by the same code from the
 * same inputs as the reading writer's, so both leave the same bytes. The image is right only
 * while this writer is the only writer of its keys, hence:
 *
 * <ul>
 *   <li>It is this writer's own memory, never shared nor persisted: a new writer (a restarted
 *       Flink task) loads each key afresh from the store, whatever a failed predecessor left there.
 *   <li>A write that fails drops the images of the keys it was writing (any subset of its puts
 *       may have been applied); they are loaded again on their next write.
 *   <li>An image is loaded again after {@code maxAge} (and before half the key's TTL, so an image
 *       never outlives a key Redis expired): a concurrent writer of the same key (a materialize of
 *       the group version while the stream runs) is seen within that time, where the reading
 *       writer sees it on the next write.
 *   <li>The images take at most about {@code maxBytes}; the least recently written keys are
 *       dropped first and loaded again when written.
 * </ul>
 *
 * <p>Thread-safe (the store is; a mirroring writer writes one call at a time).
 */
public final class KvTileWriter implements TileWriter {
  private final CompiledPlan plan;
  private final KvStore store;
  private final RedisLayout layout;
  private final long ttlMarginMicros;
  private final int batchKeys;
  private final int maxTrimFields;
  private final Map<String, GroupState> groups = new HashMap<>();
  private final AtomicLong scannedKeys = new AtomicLong();
  private final AtomicLong loadedKeys = new AtomicLong();
  private final Mirror mirror; // null: the reading writer

  private KvTileWriter(Builder b) {
    this.plan = b.plan;
    this.store = b.store;
    this.layout = b.layout;
    this.ttlMarginMicros = b.ttlMarginMicros;
    this.batchKeys = b.batchKeys;
    this.maxTrimFields = b.maxTrimFields;
    this.mirror = b.mirrorMaxBytes < 0 ? null : new Mirror(b.mirrorMaxBytes, b.mirrorMaxAgeMillis);
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
      List<Pending> chunk = all.subList(i, Math.min(all.size(), i + batchKeys));
      if (mirror == null) {
        writeChunk(chunk);
      } else {
        synchronized (mirror) {
          writeMirrored(chunk);
        }
      }
    }
  }

  private void writeChunk(List<Pending> chunk) {
    try {
      List<KvStore.Get> reads = new ArrayList<>(chunk.size());
      for (Pending pending : chunk) {
        pending.plan(true);
        reads.add(new KvStore.Get(pending.keyBytes, store.fields(pending.readFields)));
      }
      store.multiGet(reads, (i, values) -> chunk.get(i).read = values);
      List<Pending> scans = new ArrayList<>();
      for (Pending pending : chunk) {
        pending.computeFromRead();
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

  /** A chunk of the mirroring writer: load the keys it has no (fresh) image of, compute, one write, update the images. */
  private void writeMirrored(List<Pending> chunk) {
    long now = System.nanoTime();
    List<Pending> load = new ArrayList<>();
    for (Pending pending : chunk) {
      pending.image = mirror.images.get(pending.key);
      if (pending.image == null || now - pending.image.loadedNanos > pending.state.maxImageAgeNanos) {
        if (pending.image != null) {
          mirror.remove(pending.key);
          pending.image = null;
        }
        load.add(pending);
      }
    }
    try {
      if (!load.isEmpty()) {
        load(load, now);
      }
      List<KvStore.Put> puts = new ArrayList<>(chunk.size());
      for (Pending pending : chunk) {
        pending.plan(false);
        pending.computeFromImage();
        puts.add(new KvStore.Put(pending.keyBytes, new ArrayList<>(pending.sets.keySet()), new ArrayList<>(pending.sets.values()),
            pending.deletes, pending.state.ttlMillis));
      }
      store.multiPut(puts);
    } catch (RuntimeException e) {
      // Any subset of the puts may be in the store: these images can no longer be trusted.
      for (Pending pending : chunk) {
        mirror.remove(pending.key);
      }
      if (e instanceof OnlineStoreException) {
        throw new OnlineStoreException("Cannot write tiles: " + e.getMessage(), e.getCause());
      }
      throw e;
    }
    for (Pending pending : chunk) {
      long before = pending.image.bytes;
      pending.applyToImage();
      mirror.bytes += pending.image.bytes - before;
    }
    mirror.evict();
  }

  /** Loads the images of keys the mirror does not hold: their field names, then the values of those that exist. */
  private void load(List<Pending> keys, long now) {
    List<List<byte[]>> names = store.fieldNames(keys.stream().map(p -> p.keyBytes).toList());
    List<Pending> existing = new ArrayList<>();
    List<KvStore.Get> reads = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      Pending pending = keys.get(i);
      pending.image = new Image(pending.state, now);
      if (!names.get(i).isEmpty()) {
        existing.add(pending);
        reads.add(new KvStore.Get(pending.keyBytes, store.fields(names.get(i))));
      }
    }
    store.multiGet(reads, (i, values) -> existing.get(i).image.load(reads.get(i).fields().names(), values));
    for (Pending pending : keys) {
      mirror.put(pending.key, pending.image);
    }
    loadedKeys.addAndGet(keys.size());
  }

  /** Keys written so far whose field names were read to trim them. */
  long scannedKeys() {
    return scannedKeys.get();
  }

  /** Keys the mirroring writer has loaded from the store so far (first writes, reloads after maxAge, eviction or a failure). */
  long loadedKeys() {
    return loadedKeys.get();
  }

  /** The images of the mirroring writer: an LRU map from Redis key, bounded in bytes. */
  private static final class Mirror {
    final long maxBytes;
    final long maxAgeNanos;
    final LinkedHashMap<String, Image> images = new LinkedHashMap<>(1024, 0.75f, true);
    long bytes;

    Mirror(long maxBytes, long maxAgeMillis) {
      this.maxBytes = maxBytes;
      this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxAgeMillis);
    }

    void put(String key, Image image) {
      remove(key);
      images.put(key, image);
      bytes += image.bytes;
    }

    void remove(String key) {
      Image image = images.remove(key);
      if (image != null) {
        bytes -= image.bytes;
      }
    }

    /** Drops the least recently written images while over the budget. */
    void evict() {
      var it = images.values().iterator();
      while (bytes > maxBytes && it.hasNext()) {
        bytes -= it.next().bytes;
        it.remove();
      }
    }
  }

  /**
   * What the store holds in one hash, as far as this writer knows it: per spec, block start →
   * the value of the block of each level starting there (null: absent); the latest event time.
   */
  private static final class Image {
    /** Rough heap cost of one start entry and of one value, beyond the value's bytes. */
    static final long ENTRY_BYTES = 64;
    static final long VALUE_BYTES = 24;
    final GroupState state;
    final long loadedNanos;
    final List<TreeMap<Long, byte[][]>> blocks = new ArrayList<>();
    long latest = Long.MIN_VALUE; // none: the hash is empty
    long bytes = ENTRY_BYTES;

    Image(GroupState state, long loadedNanos) {
      this.state = state;
      this.loadedNanos = loadedNanos;
      for (int s = 0; s < state.geometry.specCount(); s++) {
        blocks.add(new TreeMap<>());
      }
    }

    /** The fields of a hash as read: the latest event time and every block field of the group's specs (others are ignored). */
    void load(List<byte[]> names, List<byte[]> values) {
      for (int i = 0; i < names.size(); i++) {
        byte[] value = values.get(i);
        if (value == null) {
          continue; // deleted between the two reads: absent
        }
        String name = new String(names.get(i), StandardCharsets.UTF_8);
        if (name.equals(RedisLayout.LATEST_FIELD)) {
          latest = RedisLayout.parseLatest(value);
          continue;
        }
        RedisLayout.Block block = RedisLayout.parseField(name);
        if (block == null) {
          continue;
        }
        TileGeometry geometry = state.geometry;
        for (int s = 0; s < geometry.specCount(); s++) {
          if (geometry.hop(s) == block.hopMicros()) {
            for (int k = 0; k < geometry.levels(s); k++) {
              if (geometry.span(s, k) == block.spanMicros() && geometry.blockStart(s, k, block.startMicros()) == block.startMicros()) {
                put(s, k, block.startMicros(), value);
              }
            }
          }
        }
      }
    }

    byte[] block(int s, int level, long start) {
      byte[][] levels = blocks.get(s).get(start);
      return levels == null ? null : levels[level];
    }

    void put(int s, int level, long start, byte[] value) {
      byte[][] levels = blocks.get(s).get(start);
      if (levels == null) {
        levels = new byte[state.geometry.levels(s)][];
        blocks.get(s).put(start, levels);
        bytes += ENTRY_BYTES + 8L * levels.length;
      }
      if (levels[level] != null) {
        bytes -= VALUE_BYTES + levels[level].length;
      }
      levels[level] = value;
      bytes += VALUE_BYTES + value.length;
    }

    /** Forgets the blocks of spec {@code s} starting before {@code cutoff}. */
    void removeBefore(int s, long cutoff) {
      var head = blocks.get(s).headMap(cutoff, false);
      for (byte[][] levels : head.values()) {
        bytes -= ENTRY_BYTES + 8L * levels.length;
        for (byte[] v : levels) {
          if (v != null) {
            bytes -= VALUE_BYTES + v.length;
          }
        }
      }
      head.clear();
    }
  }

  /** Per group: tiler, geometry, field names, TTL. */
  private final class GroupState {
    final CompiledGroup group;
    final GroupTiler tiler;
    final TileGeometry geometry;
    final byte[][] hopPrefix;
    final byte[][][] blockPrefix; // [spec][level]: "<hop>:<span>:"
    final long ttlMillis;
    final long maxImageAgeNanos;

    GroupState(GroupTiler tiler) {
      this.tiler = tiler;
      this.group = tiler.group();
      this.geometry = tiler.geometry();
      this.hopPrefix = new byte[geometry.specCount()][];
      this.blockPrefix = new byte[geometry.specCount()][][];
      for (int s = 0; s < hopPrefix.length; s++) {
        hopPrefix[s] = RedisLayout.hopPrefix(geometry.hop(s));
        blockPrefix[s] = new byte[geometry.levels(s)][];
        for (int k = 0; k < geometry.levels(s); k++) {
          blockPrefix[s][k] = RedisLayout.blockPrefix(geometry.hop(s), geometry.span(s, k));
        }
      }
      OptionalLong retention = geometry.retentionMicros();
      this.ttlMillis = retention.isPresent() ? (retention.getAsLong() + ttlMarginMicros) / 1000 : 0;
      long age = mirror == null ? Long.MAX_VALUE : mirror.maxAgeNanos;
      // An image must not outlive the key: Redis may have expired it since.
      this.maxImageAgeNanos = ttlMillis > 0 ? Math.min(age, TimeUnit.MILLISECONDS.toNanos(ttlMillis) / 2) : age;
    }
  }

  /** What a computation takes from the store's side: the stored latest event time and stored blocks. */
  private interface Stored {
    /** The stored latest event time; {@code Long.MIN_VALUE} for a key with none (a new key). */
    long latest();

    /** The stored block of spec {@code s} at {@code level} starting at {@code start}; null when absent. */
    byte[] block(int s, int level, long start);
  }

  /** One Redis key being written: what to read, then what to set and delete. */
  private final class Pending {
    final GroupState state;
    final String key;
    final byte[] keyBytes;
    final List<TreeMap<Long, byte[]>> tiles = new ArrayList<>(); // per spec: start -> the tile's bytes
    long latest = Long.MIN_VALUE;
    // Per spec and level >= 1: block start -> computed IRs (null until computed).
    final List<List<TreeMap<Long, Object[]>>> affected = new ArrayList<>();
    final List<byte[]> readFields = new ArrayList<>();
    final List<String> readNames = new ArrayList<>();
    List<byte[]> read; // the store's reply to readFields
    final Map<byte[], byte[]> sets = new LinkedHashMap<>();
    final List<long[]> setBlocks = new ArrayList<>(); // {spec, level, start} of each set block, in the order of sets (after @t)
    final List<byte[]> deletes = new ArrayList<>();
    final long[] cutoff;
    long latestAll;
    boolean scanToTrim;
    Image image; // the mirroring writer's image of the key

    Pending(GroupState state, String key) {
      this.state = state;
      this.key = key;
      this.keyBytes = key.getBytes(StandardCharsets.UTF_8);
      for (int s = 0; s < state.geometry.specCount(); s++) {
        tiles.add(new TreeMap<>());
      }
      this.cutoff = new long[state.geometry.specCount()];
    }

    /**
     * Which blocks the batch changes and, with {@code reads}, which unchanged siblings must be
     * read to roll up.
     */
    void plan(boolean reads) {
      if (reads) {
        readFields.add(RedisLayout.LATEST_FIELD_BYTES);
        readNames.add(RedisLayout.LATEST_FIELD);
      }
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
          if (!reads) {
            continue;
          }
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

    /** The reading writer: computes from the store's reply, then trims by range (or asks for a scan). */
    void computeFromRead() {
      Map<String, byte[]> stored = new HashMap<>();
      for (int i = 0; i < readNames.size(); i++) {
        if (read.get(i) != null) {
          stored.put(readNames.get(i), read.get(i));
        }
      }
      byte[] storedLatestBytes = stored.get(RedisLayout.LATEST_FIELD);
      long storedLatest = storedLatestBytes == null ? Long.MIN_VALUE : RedisLayout.parseLatest(storedLatestBytes);
      TileGeometry geometry = state.geometry;
      compute(new Stored() {
        @Override
        public long latest() {
          return storedLatest;
        }

        @Override
        public byte[] block(int s, int level, long start) {
          return stored.get(RedisLayout.field(geometry.hop(s), geometry.span(s, level), start));
        }
      });
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
     * The mirroring writer: computes from the image, then deletes the image's blocks before the
     * cut-off: the fields that are in the store there (the reading writer's range and scan delete
     * the same fields, naming absent ones too).
     */
    void computeFromImage() {
      Image im = image;
      compute(new Stored() {
        @Override
        public long latest() {
          return im.latest;
        }

        @Override
        public byte[] block(int s, int level, long start) {
          return im.block(s, level, start);
        }
      });
      TileGeometry geometry = state.geometry;
      for (int s = 0; s < tiles.size(); s++) {
        if (geometry.keepsEverything(s)) {
          continue; // a lifetime window: nothing to trim (cutoff is the lifetime start)
        }
        for (Map.Entry<Long, byte[][]> e : im.blocks.get(s).headMap(cutoff[s], false).entrySet()) {
          byte[][] levels = e.getValue();
          for (int k = 0; k < levels.length; k++) {
            if (levels[k] != null) {
              deletes.add(RedisLayout.fieldBytes(state.blockPrefix[s][k], e.getKey()));
            }
          }
        }
      }
    }

    /** After the write succeeded: the image holds what the store now holds. */
    void applyToImage() {
      int i = 0;
      for (byte[] value : sets.values()) {
        if (i > 0) { // the first set is @t
          long[] b = setBlocks.get(i - 1);
          image.put((int) b[0], (int) b[1], b[2], value);
        }
        i++;
      }
      for (int s = 0; s < tiles.size(); s++) {
        if (!state.geometry.keepsEverything(s)) {
          image.removeBefore(s, cutoff[s]);
        }
      }
      image.latest = latestAll;
    }

    /** The sets: @t, then the tiles at or after the cut-off, then every changed block above them. */
    private void compute(Stored stored) {
      long storedLatest = stored.latest();
      latestAll = Math.max(latest, storedLatest); // every write carries an event time: latest is set
      sets.put(RedisLayout.LATEST_FIELD_BYTES, Long.toString(latestAll).getBytes(StandardCharsets.US_ASCII));
      TileGeometry geometry = state.geometry;
      for (int s = 0; s < tiles.size(); s++) {
        // Reads happen as of instants after the latest event: blocks starting before the trim
        // bound as of it are never read again, and are not written.
        cutoff[s] = geometry.trimBefore(s, latestAll);
        RowAggregator agg = state.tiler.aggregator(s);
        List<TreeMap<Long, Object[]>> levels = affected.get(s);
        // Level 0: the tiles' own bytes, written as they came.
        for (Map.Entry<Long, byte[]> e : tiles.get(s).entrySet()) {
          if (e.getKey() >= cutoff[s]) {
            set(s, 0, e.getKey(), e.getValue());
          }
        }
        // Levels >= 1: each changed block merged from its two children (this write's or stored).
        for (int k = 1; k < levels.size(); k++) {
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
                byte[] bytes = stored.block(s, k - 1, child);
                if (bytes != null) {
                  merged = agg.mergeEncoded(merged == null ? agg.create() : merged, bytes);
                }
              }
            }
            e.setValue(merged);
            if (merged != null && e.getKey() >= cutoff[s]) {
              set(s, k, e.getKey(), agg.encode(merged));
            }
          }
        }
      }
    }

    private void set(int s, int level, long start, byte[] value) {
      sets.put(RedisLayout.fieldBytes(state.blockPrefix[s][level], start), value);
      setBlocks.add(new long[] {s, level, start});
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
    private long mirrorMaxBytes = -1;
    private long mirrorMaxAgeMillis;

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

    /**
     * Makes this a mirroring writer (see the class comment): it keeps an image of every hash it
     * writes, of about {@code maxBytes} in all, each loaded again after {@code maxAgeMillis}, and
     * reads the store only to load them. Only for a writer that is the only writer of its keys
     * (a Flink sink behind a keyBy); without this call the writer reads before every write.
     */
    public Builder mirror(long maxBytes, long maxAgeMillis) {
      if (maxBytes < 0 || maxAgeMillis <= 0) {
        throw new IllegalArgumentException("Cannot mirror " + maxBytes + " bytes for " + maxAgeMillis
            + " ms: the size must not be negative and the age must be positive");
      }
      this.mirrorMaxBytes = maxBytes;
      this.mirrorMaxAgeMillis = maxAgeMillis;
      return this;
    }

    public KvTileWriter build() {
      return new KvTileWriter(this);
    }
  }
}
