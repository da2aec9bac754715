package dev.strata.stream;

import dev.strata.online.EncodedTile;
import dev.strata.online.TileWriter;
import java.util.List;

/** Drops every tile: the bound a benchmark compares the Redis writer with. */
public final class DiscardingTileWriter implements TileWriter {
  @Override
  public void write(List<EncodedTile> tiles) {}

  public static TileWriter.Factory factory() {
    return DiscardingTileWriter::new;
  }
}
