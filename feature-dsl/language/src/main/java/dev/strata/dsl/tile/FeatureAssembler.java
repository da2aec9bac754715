package dev.strata.dsl.tile;

import dev.strata.dsl.agg.Aggregator;
import dev.strata.dsl.agg.ByteCursor;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import java.util.List;
import java.util.NavigableMap;

/**
 * Feature values of one key as of an instant t, from tiles: the one implementation of
 * "merge the tiles inside the window, finish the IRs" that batch training sets and the online
 * reader share.
 *
 * <p>A feature's window as of t is {@code [windowStart, t)} ({@link TileGeometry#windowStart}). It
 * is covered by the whole tiles with start in {@code [windowStart, floor(t, h))} plus the head
 * {@code [floor(t, h), t)}, which the caller supplies as IRs of exactly the events in it:
 * offline, the raw events of the head; online (t = now, every stored event before now), the
 * open tile itself.
 */
public final class FeatureAssembler {
  private static final byte[] EMPTY = new byte[0];
  private final GroupTiler tiler;
  private final TileGeometry geometry;
  private final int[] specOf;
  private final int[] slotOf;
  private final Aggregator<Object>[] aggregatorOf;

  public FeatureAssembler(GroupTiler tiler) {
    this.tiler = tiler;
    this.geometry = tiler.geometry();
    int features = tiler.group().features().size();
    this.specOf = new int[features];
    this.slotOf = new int[features];
    @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
    Aggregator<Object>[] aggregators = new Aggregator[features];
    this.aggregatorOf = aggregators;
    for (int f = 0; f < features; f++) {
      specOf[f] = geometry.specOf(f);
      slotOf[f] = geometry.slotOf(f);
      @SuppressWarnings("unchecked")
      Aggregator<Object> aggregator = (Aggregator<Object>) tiler.aggregator(specOf[f]).aggregators().get(slotOf[f]);
      aggregatorOf[f] = aggregator;
    }
  }

  public GroupTiler tiler() {
    return tiler;
  }

  /**
   * The value of every feature of the group (in {@link CompiledGroup#features()} order) as of
   * {@code t}.
   *
   * @param tiles for each tile spec, the key's tiles by start (any extra tiles are ignored)
   * @param heads for each tile spec, the IRs of the events in {@code [floor(t, h), t)}, or null
   *     when there are none
   */
  public Object[] valuesAsOf(long t, List<? extends NavigableMap<Long, Object[]>> tiles, List<Object[]> heads) {
    Object[] values = new Object[specOf.length];
    for (int f = 0; f < values.length; f++) {
      values[f] = value(f, t, tiles.get(specOf[f]), heads == null ? null : heads.get(specOf[f]));
    }
    return values;
  }

  /**
   * The value of every feature of the group as of {@code t}, merged straight from encoded tiles:
   * the online read, where the store holds only events before t. A feature merges every tile
   * whose start lies in {@code [windowStart, floor(t, h)]}: the whole tiles of its window and
   * the open tile at floor(t, h), which holds exactly the head's events. Tiles may be blocks of
   * several hops as long as window starts never cut one.
   *
   * @param tiles for each tile spec, the key's encoded tiles (any extra tiles are ignored)
   * @throws IllegalArgumentException when a tile's bytes are not IRs of its spec
   */
  public Object[] valuesAsOf(long t, List<EncodedTiles> tiles) {
    Object[] values = new Object[specOf.length];
    ByteCursor cursor = new ByteCursor(EMPTY, 0, 0);
    for (int f = 0; f < values.length; f++) {
      int slot = slotOf[f];
      Aggregator<Object> agg = aggregatorOf[f];
      long last = geometry.tileStart(specOf[f], t);
      long first = geometry.windowStart(f, t);
      Object ir = agg.create();
      EncodedTiles spec = tiles.get(specOf[f]);
      for (int i = 0; spec != null && i < spec.size(); i++) {
        long start = spec.start(i);
        if (start >= first && start <= last) {
          ir = agg.mergeEncoded(ir, cursor.reset(spec.bytes(i), spec.from(i, slot), spec.to(i, slot)));
        }
      }
      values[f] = agg.finish(ir);
    }
    return values;
  }

  private Object value(int f, long t, NavigableMap<Long, Object[]> tiles, Object[] head) {
    Aggregator<Object> agg = aggregatorOf[f];
    int slot = slotOf[f];
    long headStart = geometry.tileStart(specOf[f], t);
    Object ir = agg.create();
    if (tiles != null && !tiles.isEmpty()) {
      for (Object[] tile : tiles.subMap(geometry.windowStart(f, t), true, headStart, false).values()) {
        ir = agg.merge(ir, tile[slot]);
      }
    }
    if (head != null) {
      ir = agg.merge(ir, head[slot]);
    }
    return agg.finish(ir);
  }
}
