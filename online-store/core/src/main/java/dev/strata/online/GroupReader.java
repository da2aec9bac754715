package dev.strata.online;

import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.tile.EncodedTiles;
import dev.strata.dsl.tile.FeatureAssembler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.tile.TileGeometry;
import java.util.ArrayList;
import java.util.List;

/** Per group: the assembler and the aggregators that decode blocks. */
final class GroupReader {
  final CompiledGroup group;
  final TileGeometry geometry;
  final FeatureAssembler assembler;
  final RowAggregator[] aggregators;

  GroupReader(GroupTiler tiler) {
    this.group = tiler.group();
    this.geometry = tiler.geometry();
    this.assembler = new FeatureAssembler(tiler);
    this.aggregators = new RowAggregator[group.tiles().size()];
    for (int s = 0; s < aggregators.length; s++) {
      aggregators[s] = tiler.aggregator(s);
    }
  }

  /** One scratch list per chunk and group: the encoded tiles of each spec, cleared per key. */
  List<EncodedTiles> scratch(int blocks) {
    List<EncodedTiles> tiles = new ArrayList<>(aggregators.length);
    for (RowAggregator rows : aggregators) {
      tiles.add(new EncodedTiles(rows, blocks));
    }
    return tiles;
  }

  /**
   * Blocks stand in for tiles: window starts cut the blocks, so each window is a union of whole
   * blocks, and the block starting at floor(now, hop), if any, is the open head. The assembler
   * merges straight from the bytes the store returned.
   */
  Object[] assemble(long now, List<long[]> blocks, List<byte[]> got, List<EncodedTiles> tiles) {
    tiles.forEach(EncodedTiles::clear);
    for (int i = 0; i < blocks.size(); i++) {
      byte[] bytes = got.get(i + 1);
      if (bytes != null) {
        long[] b = blocks.get(i);
        tiles.get((int) b[0]).add(b[1], bytes);
      }
    }
    return assembler.valuesAsOf(now, tiles);
  }
}
