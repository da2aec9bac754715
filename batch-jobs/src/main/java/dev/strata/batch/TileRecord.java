package dev.strata.batch;

import java.util.List;

/**
 * One tile handed to the online store: the entity key (in the entity's key order), the group
 * and its version, the hop and the tile start (microseconds), and RowAggregator's canonical
 * bytes of the tile's IRs.
 */
public record TileRecord(List<Object> key, String group, String groupVersion, long hopMicros, long tileStartMicros,
    byte[] tile) {
  public TileRecord {
    key = List.copyOf(key);
  }
}
