package dev.strata.online;

import dev.strata.dsl.tile.TileGeometry;
import dev.strata.online.store.KvStore;
import java.util.ArrayList;
import java.util.List;

/**
 * What a read as of one instant fetches per group of a service: {@code @t}, then one field per
 * roll-up block of {@link TileGeometry#cover} for every tile spec. The same for every row.
 */
final class ReadPlan {
  final List<List<long[]>> blocks; // per group: {spec, block start, block span} per field after @t
  final List<KvStore.Fields> fields; // per group: @t, then one field per block
  final boolean exact; // an explicit instant: refuse keys the store holds later events of

  ReadPlan(ServiceReader sr, KvStore store, long nowMicros, boolean exact) {
    this.exact = exact;
    int m = sr.groups.size();
    blocks = new ArrayList<>(m);
    fields = new ArrayList<>(m);
    for (int g = 0; g < m; g++) {
      TileGeometry geometry = sr.groups.get(g).geometry;
      List<long[]> groupBlocks = new ArrayList<>();
      List<byte[]> names = new ArrayList<>();
      names.add(RedisLayout.LATEST_FIELD_BYTES);
      for (int s = 0; s < geometry.specCount(); s++) {
        long hop = geometry.hop(s);
        for (TileGeometry.Block b : geometry.cover(s, nowMicros)) {
          groupBlocks.add(new long[] {s, b.start(), b.span()});
          names.add(RedisLayout.fieldBytes(hop, b.span(), b.start()));
        }
      }
      fields.add(store.fields(names));
      blocks.add(groupBlocks);
    }
  }
}
