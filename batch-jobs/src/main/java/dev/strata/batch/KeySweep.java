package dev.strata.batch;

import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.tile.FeatureAssembler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.tile.TileGeometry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One pass over the events of one key in time order, keeping the key's tiles (GroupTiler) and
 * answering "values as of t" with FeatureAssembler (whole tiles + the head IRs of the open
 * tile). Queries must come in non-decreasing time and before the events at the same instant, so
 * an event at exactly t is never in the value as of t.
 *
 * <p>Closed tiles are kept merged into the roll-up blocks of {@link TileGeometry} (the blocks the
 * online store keeps), and a query merges the few blocks of {@link TileGeometry#cover}: a value
 * costs O(roll-up levels) merges, not one per tile in its window, so a daily snapshot of a
 * lifetime feature over decades is linear in days, not quadratic. Memory per key: the blocks of
 * the largest window (every block since the first event for a lifetime feature), about twice
 * its tiles, whatever the number of events.
 */
final class KeySweep {
  /** Receives each tile once it is closed (no later event of the key can fall in it), with its latest event time. */
  interface ClosedTiles {
    void tile(int spec, long start, Object[] irs, long latestEvent);
  }

  private final GroupTiler tiler;
  private final FeatureAssembler assembler;
  private final TileGeometry geometry;
  private final TileGeometry.CoverMemo coverMemo;
  /** Per spec, the blocks of the last cover by start, refilled for each query. */
  private final List<TreeMap<Long, Object[]>> coverBlocks = new ArrayList<>();
  /** Per spec, per roll-up level, the closed tiles merged into blocks by block start. */
  private final List<List<TreeMap<Long, Object[]>>> blocks = new ArrayList<>();
  /** Per spec, the level of each block span. */
  private final List<Map<Long, Integer>> levelOfSpan = new ArrayList<>();
  private final long[] headStart;
  private final Object[][] head;
  private final long[] headLatest;
  private final boolean keepTiles;
  private long lastEvent;
  private boolean hasEvents;
  /** The values of the last query and its instant, until the next event or key: spine rows often share (key, time). */
  private Object[] cached;
  private long cachedAt;

  /** {@code keepTiles} false when only closed tiles are wanted (no queries). */
  KeySweep(GroupTiler tiler, boolean keepTiles) {
    this.tiler = tiler;
    this.assembler = new FeatureAssembler(tiler);
    this.keepTiles = keepTiles;
    int specs = tiler.specCount();
    this.headStart = new long[specs];
    this.head = new Object[specs][];
    this.headLatest = new long[specs];
    this.geometry = tiler.geometry();
    this.coverMemo = geometry.coverMemo();
    for (int s = 0; s < specs; s++) {
      List<TreeMap<Long, Object[]>> levels = new ArrayList<>();
      Map<Long, Integer> spans = new HashMap<>();
      for (int k = 0; k < geometry.levels(s); k++) {
        levels.add(new TreeMap<>());
        spans.put(geometry.span(s, k), k);
      }
      blocks.add(levels);
      levelOfSpan.add(spans);
      coverBlocks.add(new TreeMap<>());
    }
  }

  GroupTiler tiler() {
    return tiler;
  }

  /** Forgets the previous key. */
  void reset() {
    for (List<TreeMap<Long, Object[]>> levels : blocks) {
      levels.forEach(TreeMap::clear);
    }
    Arrays.fill(head, null);
    hasEvents = false;
    cached = null;
  }

  /** True once the key has had an event. */
  boolean hasEvents() {
    return hasEvents;
  }

  /** The time of the key's latest event so far; meaningful when {@link #hasEvents()}. */
  long lastEvent() {
    return lastEvent;
  }

  /** Adds an event of the key (already past keyOf); its time must not precede the previous one's. */
  void add(Object[] row, ClosedTiles sink) {
    long t = tiler.eventTime(row);
    lastEvent = t;
    hasEvents = true;
    cached = null;
    for (int s = 0; s < head.length; s++) {
      long start = tiler.tileStart(s, t);
      if (head[s] != null && headStart[s] != start) {
        close(s, sink);
      }
      head[s] = tiler.update(s, head[s], row);
      headStart[s] = start;
      headLatest[s] = t; // events come in time order
    }
  }

  /** Closes every open tile (end of the key's events). */
  void flush(ClosedTiles sink) {
    for (int s = 0; s < head.length; s++) {
      if (head[s] != null) {
        close(s, sink);
      }
    }
  }

  private void close(int s, ClosedTiles sink) {
    if (sink != null) {
      sink.tile(s, headStart[s], head[s], headLatest[s]);
    }
    if (keepTiles) {
      RowAggregator agg = tiler.aggregator(s);
      List<TreeMap<Long, Object[]>> levels = blocks.get(s);
      for (int k = 0; k < levels.size(); k++) {
        long start = geometry.blockStart(s, k, headStart[s]);
        Object[] block = levels.get(k).get(start);
        if (block == null) {
          levels.get(k).put(start, k == 0 ? head[s] : agg.copy(head[s]));
        } else {
          agg.merge(block, head[s]);
        }
      }
    }
    head[s] = null;
  }

  /**
   * Every feature of the group as of t (in the group's feature order). The array is shared with
   * later queries at the same instant (until an event or a reset): callers must not change it.
   */
  Object[] valuesAsOf(long t) {
    if (cached != null && cachedAt == t) {
      return cached; // same key, same instant, no event since: the same state gives the same values
    }
    cached = computeValuesAsOf(t);
    cachedAt = t;
    return cached;
  }

  private Object[] computeValuesAsOf(long t) {
    List<Object[]> heads = new ArrayList<>(head.length);
    List<NavigableMap<Long, Object[]>> covers = new ArrayList<>(head.length);
    for (int s = 0; s < head.length; s++) {
      if (head[s] != null && headStart[s] < geometry.tileStart(s, t)) {
        close(s, null);
      }
      heads.add(head[s]);
      List<TreeMap<Long, Object[]>> levels = blocks.get(s);
      // Queries only move forward: blocks that end before the spec's reach as of t are never read again.
      long reach = geometry.reach(s, t);
      for (int k = 0; k < levels.size(); k++) {
        TreeMap<Long, Object[]> level = levels.get(k);
        while (!level.isEmpty() && new TileGeometry.Block(level.firstKey(), geometry.span(s, k)).end() <= reach) {
          level.pollFirstEntry();
        }
      }
      // The blocks of the cover, by start: every window of the spec is a run of them (plus the head).
      TreeMap<Long, Object[]> cover = coverBlocks.get(s);
      cover.clear();
      for (TileGeometry.Block b : coverMemo.cover(s, t)) {
        Object[] irs = levels.get(levelOfSpan.get(s).get(b.span())).get(b.start());
        if (irs != null) {
          cover.put(b.start(), irs);
        }
      }
      covers.add(cover);
    }
    return assembler.valuesAsOf(t, covers, heads);
  }
}
