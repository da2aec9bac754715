package dev.strata.stream;

import java.util.Arrays;
import java.util.List;

/**
 * The whole current state of one tile: the encoded IRs ({@link
 * dev.strata.dsl.agg.RowAggregator#encode}) of group {@code group} at version {@code version},
 * entity key {@code key}, hop {@code hopMicros}, start {@code tileStart}. Writing it is an
 * overwrite, so writing it again is harmless. {@code eventMicros} is the time of the latest event of
 * the key known when the tile was written (the online reader's freshness). Arrays are never
 * mutated after construction.
 */
public record TileWrite(
    String group, String version, Object[] key, long hopMicros, long tileStart, byte[] bytes, long eventMicros) {

  /** This tile with the later of the two event times: what a batch keeps when a write replaces another. */
  public TileWrite replacing(TileWrite earlier) {
    return earlier.eventMicros <= eventMicros ? this
        : new TileWrite(group, version, key, hopMicros, tileStart, bytes, earlier.eventMicros);
  }

  public List<Object> keyList() {
    return Arrays.asList(key.clone());
  }

  /** Identifies the tile (not its content): later writes of the same id replace earlier ones. */
  public String id() {
    return group + '\u0000' + version + '\u0000' + TileStateKey.encodeEntity(key) + '\u0000' + hopMicros + '\u0000' + tileStart;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TileWrite t && group.equals(t.group) && version.equals(t.version) && Arrays.equals(key, t.key)
        && hopMicros == t.hopMicros && tileStart == t.tileStart && Arrays.equals(bytes, t.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * group.hashCode() + Arrays.hashCode(key)) + Long.hashCode(tileStart);
  }

  @Override
  public String toString() {
    return "TileWrite[" + group + "@" + version + " " + Arrays.toString(key) + " hop=" + hopMicros + " start=" + tileStart
        + " " + bytes.length + " bytes]";
  }
}
