package dev.strata.online;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The whole current state of one tile, encoded: the IRs of the events of one entity key in
 * {@code [startMicros, startMicros + hopMicros)}, as {@link dev.strata.dsl.agg.RowAggregator#encode}
 * wrote them for the tile spec of that hop in group {@code group} at version {@code groupVersion}.
 * What batch materialize and the stream sink hand to a {@link TileWriter}: the bytes are written
 * as they are, never decoded and encoded again.
 *
 * <p>{@code latestEventMicros} is an event time of the key at least as late as every event in the
 * tile (the stream: the event that changed it; batch: the tile's latest event). A writer stores
 * the latest it has seen for the key as its {@code @t}: the time served with its values, the
 * reference for TTL status and trimming, and the bound below which exact reads are refused.
 *
 * <p>Immutable in effect: the key is copied and the bytes are never changed after construction.
 */
public record EncodedTile(
    String group, String groupVersion, List<Object> key, long hopMicros, long startMicros, byte[] bytes,
    long latestEventMicros) {

  public EncodedTile {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(groupVersion, "groupVersion");
    key = List.copyOf(key);
    Objects.requireNonNull(bytes, "bytes");
  }

  /** What identifies a tile (not its content): a later state of the same id replaces an earlier one. */
  public record Id(String group, String groupVersion, List<Object> key, long hopMicros, long startMicros) {}

  public Id id() {
    return new Id(group, groupVersion, key, hopMicros, startMicros);
  }

  /** This state with the later of the two event times: what a batch keeps when a write replaces another. */
  public EncodedTile replacing(EncodedTile earlier) {
    return earlier.latestEventMicros <= latestEventMicros ? this
        : new EncodedTile(group, groupVersion, key, hopMicros, startMicros, bytes, earlier.latestEventMicros);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodedTile t && group.equals(t.group) && groupVersion.equals(t.groupVersion) && key.equals(t.key)
        && hopMicros == t.hopMicros && startMicros == t.startMicros && Arrays.equals(bytes, t.bytes)
        && latestEventMicros == t.latestEventMicros;
  }

  @Override
  public int hashCode() {
    return Objects.hash(group, groupVersion, key, hopMicros, startMicros, Arrays.hashCode(bytes));
  }

  @Override
  public String toString() {
    return "EncodedTile[" + group + "@" + groupVersion + " " + key + " hop=" + hopMicros + " start=" + startMicros + " "
        + bytes.length + " bytes, latest event " + latestEventMicros + "]";
  }
}
