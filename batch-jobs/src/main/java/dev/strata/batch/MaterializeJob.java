package dev.strata.batch;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.time.Durations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Materialize: reads the tiles of a group's current version that a read as of {@code at} can
 * touch (for each hop, tiles starting in {@code [reach as of at, at)}, see {@link
 * TileGeometry#reach}; lifetime features: all tiles) from {@code <group>__tiles} and hands them
 * to a {@link TileWriter}. Tiles stream to the driver one partition at a time.
 */
public final class MaterializeJob {
  private final JobContext ctx;

  public MaterializeJob(JobContext ctx) {
    this.ctx = ctx;
  }

  /** Returns the number of tiles written. */
  public long run(String groupName, long atMicros, TileWriter writer) {
    CompiledPlan plan = ctx.plan();
    CompiledGroup g = plan.group(groupName).orElseThrow(() -> new JobException("Cannot materialize group '" + groupName
        + "': no such feature group."));
    String table = ctx.table(g.name() + "__tiles");
    if (!ctx.spark().catalog().tableExists(table)) {
      throw new JobException("Cannot materialize group '" + groupName + "': it has no tiles yet (run backfill first).");
    }
    Column keep = functions.lit(false);
    TileGeometry geometry = TileGeometry.of(g);
    for (int s = 0; s < geometry.specCount(); s++) {
      Column inHop = functions.col("hop").equalTo(geometry.hop(s))
          .and(functions.col("tile_start").lt(functions.lit(instant(atMicros))));
      if (!geometry.keepsEverything(s)) {
        inHop = inHop.and(functions.col("tile_start").geq(functions.lit(instant(geometry.reach(s, atMicros)))));
      }
      keep = keep.or(inHop);
    }
    Iterator<Row> rows = ctx.spark().table(table)
        .where(functions.col("group_version").equalTo(g.version()).and(keep))
        .toLocalIterator();
    int keys = g.keys().size();
    long n = 0;
    while (rows.hasNext()) {
      Row r = rows.next();
      List<Object> key = new ArrayList<>(keys);
      for (int i = 0; i < keys; i++) {
        Object v = r.get(i);
        key.add(g.keys().get(i).type() == dev.strata.dsl.types.DataType.TIMESTAMP ? SparkValues.micros((Instant) v) : v);
      }
      writer.write(new TileRecord(key, g.name(), g.version(), r.getLong(keys + 1),
          SparkValues.micros((Instant) r.get(keys + 2)), (byte[]) r.get(keys + 3)));
      n++;
    }
    writer.close();
    ctx.progress().say(String.format("materialize %s: %,d tiles as of %s", g.name(), n, Durations.formatInstant(atMicros)));
    return n;
  }

  private static Instant instant(long micros) {
    return (Instant) SparkValues.toOutput(dev.strata.dsl.types.DataType.TIMESTAMP, micros);
  }
}
