package dev.strata.online;

import java.io.Serializable;
import java.util.List;

/**
 * Where whole tiles go: the one write path of the online store, used by batch materialize and
 * the stream sink alike.
 *
 * <p>Guarantees of every implementation:
 *
 * <ul>
 *   <li>A tile replaces the stored state of the tile with the same {@link EncodedTile#id() id}: a
 *       write is an overwrite, never an increment, so writing the same tiles again changes
 *       nothing, and a replay after a failure cannot count an event twice.
 *   <li>Within one call, a later tile of the same id wins.
 *   <li>When {@link #write} returns, the tiles are durable in the store and visible to reads;
 *       when it throws ({@link OnlineStoreException}), any subset of them may have been written,
 *       each whole, and writing them again completes the write.
 * </ul>
 *
 * <p>A writer may be used by one thread at a time; writes of one entity key must come from one
 * writer at a time (Flink's keyBy gives that).
 */
public interface TileWriter extends AutoCloseable {

  /**
   * Writes the tiles.
   *
   * @throws IllegalArgumentException when a tile does not belong to the writer's plan (an unknown
   *     group or version, a hop the group does not have, a start not on its hop)
   * @throws OnlineStoreException when the store fails
   */
  void write(List<EncodedTile> tiles);

  /** Releases what the writer holds; tiles written before are unaffected. */
  @Override
  default void close() {}

  /** Opens writers where a job runs (one per parallel writer); shipped to Flink's task managers. */
  interface Factory extends Serializable {
    TileWriter open();
  }
}
