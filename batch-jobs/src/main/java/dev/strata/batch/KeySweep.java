package dev.strata.batch;

import dev.strata.dsl.tile.FeatureAssembler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.tile.TileGeometry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One pass over the events of one key in time order, keeping the key's tiles (GroupTiler) and
 * answering "values as of t" with FeatureAssembler (whole tiles + the head IRs of the open
 * tile). Queries must come in non-decreasing time and before the events at the same instant, so
 * an event at exactly t is never in the value as of t. Memory per key: the tiles of the largest
 * window (all tiles for a lifetime feature), whatever the number of events.
 */
final class KeySweep {
  /** Receives each tile once it is closed (no later event of the key can fall in it), with its latest event time. */
  interface ClosedTiles {
    void tile(int spec, long start, Object[] irs, long latestEvent);
  }

  private final GroupTiler tiler;
  private final FeatureAssembler assembler;
  private final TileGeometry geometry;
  private final List<TreeMap<Long, Object[]>> tiles = new ArrayList<>();
  private final long[] headStart;
  private final Object[][] head;
  private final long[] headLatest;
  private final boolean keepTiles;
  private long lastEvent;
  private boolean hasEvents;

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
    for (int s = 0; s < specs; s++) {
      tiles.add(new TreeMap<>());
    }
  }

  GroupTiler tiler() {
    return tiler;
  }

  /** Forgets the previous key. */
  void reset() {
    for (TreeMap<Long, Object[]> t : tiles) {
      t.clear();
    }
    Arrays.fill(head, null);
    hasEvents = false;
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
      tiles.get(s).put(headStart[s], head[s]);
    }
    head[s] = null;
  }

  /** Every feature of the group as of t (in the group's feature order). */
  Object[] valuesAsOf(long t) {
    List<Object[]> heads = new ArrayList<>(head.length);
    for (int s = 0; s < head.length; s++) {
      if (head[s] != null && headStart[s] < geometry.tileStart(s, t)) {
        close(s, null);
      }
      heads.add(head[s]);
      // Queries only move forward: tiles before the spec's reach as of t are never read again.
      if (!tiles.get(s).isEmpty()) {
        tiles.get(s).headMap(geometry.reach(s, t), false).clear();
      }
    }
    List<? extends NavigableMap<Long, Object[]>> view = tiles;
    return assembler.valuesAsOf(t, view, heads);
  }
}
