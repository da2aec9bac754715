package dev.strata.batch;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.online.EncodedTile;
import dev.strata.online.OnlineStoreException;
import dev.strata.online.TileWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Materialize: reads the tiles of a group's current version that a read as of {@code at} can
 * touch (for each hop, tiles starting in {@code [reach as of at, at)}, see {@link
 * TileGeometry#reach}; lifetime features: all tiles) from {@code <group>__tiles} and hands them,
 * still encoded, to the online store's {@link TileWriter}. Tiles stream to the driver one
 * partition at a time and are written in batches.
 *
 * <p>Each tile carries its latest event time (the tiles table's {@code latest_event}); for rows
 * written before that column existed, the tile's last instant stands in, an upper bound, so the
 * store never answers an exact read for an instant before an event it holds.
 */
public final class MaterializeJob {
  /** Tiles per write: bounds the driver's memory while keeping the writer's pipelines long. */
  static final int TILES_PER_WRITE = 20_000;

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
    TileGeometry geometry = TileGeometry.of(g);
    Column keep = functions.lit(false);
    for (int s = 0; s < geometry.specCount(); s++) {
      Column inHop = functions.col("hop").equalTo(geometry.hop(s))
          .and(functions.col("tile_start").lt(functions.lit(instant(atMicros))));
      if (!geometry.keepsEverything(s)) {
        inHop = inHop.and(functions.col("tile_start").geq(functions.lit(instant(geometry.reach(s, atMicros)))));
      }
      keep = keep.or(inHop);
    }
    boolean hasLatest = Arrays.asList(ctx.spark().table(table).columns()).contains(BackfillJob.LATEST_EVENT);
    List<Column> columns = new ArrayList<>();
    g.keys().forEach(k -> columns.add(functions.col(k.name())));
    columns.add(functions.col("hop"));
    columns.add(functions.col("tile_start"));
    columns.add(functions.col("tile"));
    columns.add(hasLatest ? functions.col(BackfillJob.LATEST_EVENT) : functions.lit(null).cast("timestamp"));
    Iterator<Row> rows = ctx.spark().table(table)
        .where(functions.col("group_version").equalTo(g.version()).and(keep))
        .select(columns.toArray(Column[]::new))
        .toLocalIterator();
    int keys = g.keys().size();
    long n = 0;
    List<EncodedTile> batch = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      List<Object> key = new ArrayList<>(keys);
      for (int i = 0; i < keys; i++) {
        Object v = r.get(i);
        key.add(g.keys().get(i).type() == DataType.TIMESTAMP ? SparkValues.micros((Instant) v) : v);
      }
      long hop = r.getLong(keys);
      long start = SparkValues.micros((Instant) r.get(keys + 1));
      long latest = r.isNullAt(keys + 3)
          ? geometry.tileEnd(geometry.specOfHop(hop), start) - 1
          : SparkValues.micros((Instant) r.get(keys + 3));
      batch.add(new EncodedTile(g.name(), g.version(), key, hop, start, (byte[]) r.get(keys + 2), latest));
      n++;
      if (batch.size() >= TILES_PER_WRITE) {
        write(g, writer, batch);
      }
    }
    write(g, writer, batch);
    ctx.progress().say(String.format(Locale.ROOT, "materialize %s: %,d tiles as of %s", g.name(), n, Durations.formatInstant(atMicros)));
    return n;
  }

  private static void write(CompiledGroup g, TileWriter writer, List<EncodedTile> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      writer.write(batch);
    } catch (OnlineStoreException e) {
      throw new JobException("Cannot materialize group '" + g.name() + "': " + e.getMessage() + ".", e);
    }
    batch.clear();
  }

  private static Instant instant(long micros) {
    return (Instant) SparkValues.toOutput(DataType.TIMESTAMP, micros);
  }
}
