package dev.strata.dsl.tile;

import dev.strata.dsl.agg.RowAggregator;
import java.util.Arrays;

/**
 * One key's stored tiles of one tile spec, still encoded: starts and row-IR bytes as a store
 * returned them, with each IR located but not decoded. {@link FeatureAssembler#valuesAsOf(long,
 * java.util.List)} merges straight from these bytes, so a read builds no IR objects for the tiles
 * it merges. Not thread-safe; a reader keeps one per tile spec and {@link #clear() clears} it
 * between keys.
 */
public final class EncodedTiles {
  private final RowAggregator rows;
  private final int width;
  private long[] starts;
  private byte[][] bytes;
  private int[] bounds;
  private int size;

  public EncodedTiles(RowAggregator rows, int expected) {
    this.rows = rows;
    this.width = 2 * rows.size();
    int capacity = Math.max(1, expected);
    this.starts = new long[capacity];
    this.bytes = new byte[capacity][];
    this.bounds = new int[capacity * width];
  }

  /**
   * Adds the tile (or block of tiles) starting at {@code start}.
   *
   * @throws IllegalArgumentException when the bytes are not a row encoding of this spec
   */
  public EncodedTiles add(long start, byte[] row) {
    if (size == starts.length) {
      starts = Arrays.copyOf(starts, 2 * size);
      bytes = Arrays.copyOf(bytes, 2 * size);
      bounds = Arrays.copyOf(bounds, 2 * size * width);
    }
    rows.locate(row, bounds, size * width);
    starts[size] = start;
    bytes[size] = row;
    size++;
    return this;
  }

  /** Forgets the tiles, keeping the arrays for the next key. */
  public EncodedTiles clear() {
    Arrays.fill(bytes, 0, size, null);
    size = 0;
    return this;
  }

  int size() {
    return size;
  }

  long start(int i) {
    return starts[i];
  }

  byte[] bytes(int i) {
    return bytes[i];
  }

  int from(int i, int slot) {
    return bounds[i * width + 2 * slot];
  }

  int to(int i, int slot) {
    return bounds[i * width + 2 * slot + 1];
  }
}
