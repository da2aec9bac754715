package dev.strata.batch;

/**
 * Where materialize hands the tiles of the last max-window: the online store's writer
 * implements it (found with {@link java.util.ServiceLoader} through {@link Factory}). Writes are
 * idempotent overwrites of whole tiles, so a rerun rewrites the same bytes.
 */
public interface TileWriter extends AutoCloseable {
  void write(TileRecord tile);

  /** Flushes what is buffered; called once after the last tile. */
  @Override
  void close();

  /** Creates writers from a project's configuration (e.g. its Redis URL). */
  interface Factory {
    TileWriter create(dev.strata.config.StrataConfig config);
  }
}
