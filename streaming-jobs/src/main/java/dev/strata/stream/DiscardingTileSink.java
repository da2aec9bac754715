package dev.strata.stream;

import java.util.List;

/** Drops every tile: the bound a benchmark compares the Redis sink with. */
public final class DiscardingTileSink implements TileSink {
  @Override
  public void write(List<TileWrite> tiles) {}

  public static Factory factory() {
    return DiscardingTileSink::new;
  }
}
