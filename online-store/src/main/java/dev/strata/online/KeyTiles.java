package dev.strata.online;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The tiles of one entity key of one group to write: for each tile spec of the group (in {@link
 * dev.strata.dsl.plan.CompiledPlan.CompiledGroup#tiles()} order), tile start → IRs, plus the
 * latest event time among the key's events so far. Tiles are written whole (an overwrite), so a
 * replayed write changes nothing.
 *
 * <p>{@code latestEventMicros} (Long.MIN_VALUE when unknown: the newest tile start stands in)
 * becomes the key's {@code @t}: the event time served with its values, the reference for TTL
 * status and for trimming.
 */
public record KeyTiles(String group, List<Object> key, List<Map<Long, Object[]>> tilesBySpec, long latestEventMicros) {
  public KeyTiles {
    Objects.requireNonNull(group, "group");
    key = List.copyOf(key);
    List<Map<Long, Object[]>> copy = new ArrayList<>(tilesBySpec.size());
    for (Map<Long, Object[]> m : tilesBySpec) {
      copy.add(m == null ? Map.of() : m);
    }
    tilesBySpec = List.copyOf(copy);
  }
}
