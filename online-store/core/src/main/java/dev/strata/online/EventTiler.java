package dev.strata.online;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.tile.GroupTiler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the tiles of one group in memory as events arrive (through {@link GroupTiler}) and hands
 * out the tiles each key changed since the last {@link #drainChanged()}, encoded: what a stream
 * sink or a small materialize writes. Not thread-safe.
 */
public final class EventTiler {
  private final GroupTiler tiler;
  private final Map<List<Object>, KeyState> keys = new HashMap<>();
  private final Map<List<Object>, KeyState> changed = new LinkedHashMap<>();

  public EventTiler(CompiledPlan plan, String group) {
    this.tiler = GroupTiler.of(plan, group);
  }

  public GroupTiler tiler() {
    return tiler;
  }

  /** Adds one source row; returns false when it belongs to no key (filtered out, NULL key). */
  public boolean add(Object[] row) {
    List<Object> key = tiler.keyOf(row);
    if (key == null) {
      return false;
    }
    KeyState ks = keys.computeIfAbsent(key, k -> new KeyState(tiler.specCount()));
    long t = tiler.eventTime(row);
    ks.latest = Math.max(ks.latest, t);
    for (int s = 0; s < tiler.specCount(); s++) {
      long start = tiler.tileStart(s, t);
      ks.tiles.get(s).put(start, tiler.update(s, ks.tiles.get(s).get(start), row));
      ks.dirty.get(s).add(start);
    }
    changed.put(key, ks);
    return true;
  }

  /** Every tile of every key (a full materialize). */
  public List<EncodedTile> all() {
    List<EncodedTile> out = new ArrayList<>();
    keys.forEach((k, ks) -> {
      for (int s = 0; s < ks.tiles.size(); s++) {
        for (Map.Entry<Long, Object[]> e : ks.tiles.get(s).entrySet()) {
          out.add(encoded(k, ks, s, e.getKey(), e.getValue()));
        }
      }
    });
    return out;
  }

  /** The tiles changed since the last call, whole. */
  public List<EncodedTile> drainChanged() {
    List<EncodedTile> out = new ArrayList<>();
    changed.forEach((k, ks) -> {
      for (int s = 0; s < ks.tiles.size(); s++) {
        for (Long start : ks.dirty.get(s)) {
          out.add(encoded(k, ks, s, start, ks.tiles.get(s).get(start)));
        }
        ks.dirty.get(s).clear();
      }
    });
    changed.clear();
    return out;
  }

  private EncodedTile encoded(List<Object> key, KeyState ks, int spec, long start, Object[] irs) {
    return new EncodedTile(tiler.group().name(), tiler.group().version(), key, tiler.hop(spec), start,
        tiler.aggregator(spec).encode(irs), ks.latest);
  }

  private static final class KeyState {
    final List<TreeMap<Long, Object[]>> tiles = new ArrayList<>();
    final List<java.util.TreeSet<Long>> dirty = new ArrayList<>();
    long latest = Long.MIN_VALUE;

    KeyState(int specs) {
      for (int s = 0; s < specs; s++) {
        tiles.add(new TreeMap<>());
        dirty.add(new java.util.TreeSet<>());
      }
    }
  }
}
