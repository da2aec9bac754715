package dev.strata.batch;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.online.EncodedTile;
import dev.strata.online.OnlineStoreException;
import dev.strata.online.TileWriter;
import dev.strata.dsl.time.TimeRanges;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Materialize: reads the tiles of a group's current version that a read as of {@code at} can
 * touch (for each hop, tiles starting in {@code [reach as of at, at)}, see {@link
 * TileGeometry#reach}; lifetime features: all tiles) from {@code <group>__tiles} and hands them,
 * still encoded, to the online store's {@link TileWriter}. Tiles stream to the driver one
 * partition at a time and are written in batches.
 *
 * <p><b>Incremental.</b> Given the last materialize of the group's version ({@link Since}: the
 * tiles snapshot it read and the instant it reached), a run pushes only the tiles that a read as
 * of {@code at} needs and that run did not push: those starting at or after the instant it
 * reached, and those of every day a commit since its snapshot wrote. The days come from the data
 * files each later snapshot added (the table is partitioned by day of {@code tile_start}), so a
 * backfill that rewrites an old day re-pushes that day, which a read of the days after the
 * materialized-to instant alone would miss. Iceberg's own incremental read is not used: it
 * accepts append snapshots only, and every backfill commit is an overwrite. When the recorded
 * snapshot is no longer an ancestor of the current one (expired by maintenance, table replaced)
 * or {@code at} is before the instant reached, the run pushes everything, and says why. Tiles a
 * rewrite deleted stay in the store, as after any full materialize: writes never delete tiles.
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

  /** The last materialize of a group version: the tiles snapshot it read and the instant it reached. */
  public record Since(long snapshotId, long atMicros) {}

  /**
   * What a run pushed.
   *
   * @param tiles      tiles handed to the writer
   * @param snapshotId the tiles snapshot read (record it: the next incremental run starts there)
   * @param full       true when every tile a read as of {@code at} needs was pushed
   * @param summary    one line for people: what was pushed and why
   */
  public record Result(long tiles, long snapshotId, boolean full, String summary) {}

  /** Pushes every tile a read as of {@code atMicros} needs; returns the number of tiles written. */
  public long run(String groupName, long atMicros, TileWriter writer) {
    return run(groupName, atMicros, null, writer).tiles();
  }

  /**
   * Pushes the tiles a read as of {@code atMicros} needs: all of them when {@code since} is null,
   * else only those changed or newly needed since that run (see the class comment).
   */
  public Result run(String groupName, long atMicros, Since since, TileWriter writer) {
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
    Table iceberg = icebergTable(g, table);
    Snapshot current = iceberg.currentSnapshot();
    if (current == null) {
      throw new JobException("Cannot materialize group '" + groupName + "': it has no tiles yet (run backfill first).");
    }
    String why = null; // why the run is full although a previous run is known
    TimeRanges changed = null; // days rewritten since the previous run; null: push everything
    if (since != null) {
      if (atMicros < since.atMicros()) {
        why = "--at is before the instant the last materialize reached (" + Durations.formatInstant(since.atMicros()) + ")";
      } else {
        changed = changedDays(iceberg, current, since.snapshotId());
        if (changed == null) {
          why = "the snapshot the last materialize read (" + since.snapshotId() + ") is no longer in the table's history";
        }
      }
    }
    if (changed != null) {
      Column fresh = functions.col("tile_start").geq(functions.lit(instant(since.atMicros())));
      for (long[] r : changed.ranges()) {
        fresh = fresh.or(functions.col("tile_start").geq(functions.lit(instant(r[0])))
            .and(functions.col("tile_start").lt(functions.lit(instant(r[1])))));
      }
      keep = keep.and(fresh);
    }
    // read the snapshot recorded as read: a backfill committing meanwhile is pushed by the next run
    Dataset<Row> tiles = ctx.spark().sql("SELECT * FROM " + table + " VERSION AS OF " + current.snapshotId());
    boolean hasLatest = Arrays.asList(tiles.columns()).contains(BackfillJob.LATEST_EVENT);
    List<Column> columns = new ArrayList<>();
    g.keys().forEach(k -> columns.add(functions.col(k.name())));
    columns.add(functions.col("hop"));
    columns.add(functions.col("tile_start"));
    columns.add(functions.col("tile"));
    columns.add(hasLatest ? functions.col(BackfillJob.LATEST_EVENT) : functions.lit(null).cast("timestamp"));
    Iterator<Row> rows = tiles
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
    String summary;
    if (changed == null) {
      summary = String.format(Locale.ROOT, "materialize %s: %,d tiles as of %s (full%s)", g.name(), n,
          Durations.formatInstant(atMicros), why == null ? "" : ": " + why);
    } else if (n == 0) {
      summary = String.format(Locale.ROOT, "materialize %s: nothing to do: no tiles changed since the last materialize"
          + " (snapshot %d, to %s); the online store is materialized to %s", g.name(), since.snapshotId(),
          Durations.formatInstant(since.atMicros()), Durations.formatInstant(atMicros));
    } else {
      summary = String.format(Locale.ROOT, "materialize %s: %,d tiles as of %s (incremental: tiles from %s on%s)", g.name(), n,
          Durations.formatInstant(atMicros), Durations.formatInstant(since.atMicros()),
          changed.isEmpty() ? "" : " and of the days rewritten since snapshot " + since.snapshotId() + ": " + days(changed));
    }
    ctx.progress().say(summary);
    return new Result(n, current.snapshotId(), changed == null, summary);
  }

  private Table icebergTable(CompiledGroup g, String table) {
    try {
      Table t = Spark3Util.loadIcebergTable(ctx.spark(), table);
      t.refresh();
      return t;
    } catch (Exception e) {
      throw new JobException("Cannot materialize group '" + g.name() + "': cannot read " + table + ": "
          + StrataSpark.firstLine(e) + ".", e);
    }
  }

  /**
   * The days of {@code tile_start} that the snapshots after {@code sinceId} up to {@code current}
   * added data files to, or null when {@code sinceId} is not an ancestor of {@code current} or a
   * file's partition does not say its day.
   */
  static TimeRanges changedDays(Table table, Snapshot current, long sinceId) {
    int tileStart = table.schema().findField("tile_start").fieldId();
    TimeRanges days = TimeRanges.empty();
    Snapshot s = current;
    while (s.snapshotId() != sinceId) {
      for (DataFile file : SnapshotChanges.builderFor(table).snapshot(s).build().addedDataFiles()) {
        PartitionSpec spec = table.specs().get(file.specId());
        Integer day = null;
        for (int i = 0; i < spec.fields().size(); i++) {
          PartitionField f = spec.fields().get(i);
          if (f.sourceId() == tileStart && "day".equals(f.transform().toString())) {
            day = file.partition().get(i, Integer.class);
          }
        }
        if (day == null) {
          return null;
        }
        days = days.union(TimeRanges.days(day, day));
      }
      Long parent = s.parentId();
      s = parent == null ? null : table.snapshot(parent);
      if (s == null) {
        return null;
      }
    }
    return days;
  }

  private static String days(TimeRanges ranges) {
    StringBuilder sb = new StringBuilder();
    for (long[] r : ranges.ranges()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(LocalDate.ofEpochDay(Math.floorDiv(r[0], Durations.DAY)));
      long last = Math.floorDiv(r[1] - 1, Durations.DAY);
      if (last != Math.floorDiv(r[0], Durations.DAY)) {
        sb.append(" .. ").append(LocalDate.ofEpochDay(last));
      }
    }
    return sb.toString();
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
