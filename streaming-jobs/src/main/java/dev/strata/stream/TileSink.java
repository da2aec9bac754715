package dev.strata.stream;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * Where whole tiles go (Redis through the online-store writer, or a test's collection). Each
 * write overwrites the tile: writing the same tiles again changes nothing.
 */
public interface TileSink extends AutoCloseable {

  /** Writes a batch of tiles, at most one per tile id; returns when they are durable. */
  void write(List<TileWrite> tiles) throws IOException;

  @Override
  default void close() throws IOException {}

  /** Opens a sink where the job runs (one per parallel writer). */
  interface Factory extends Serializable {
    TileSink open() throws IOException;
  }
}
