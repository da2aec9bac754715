package dev.strata.batch;

import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan.KeyColumn;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Backfill of one feature group over whole UTC days [from, to] into two Iceberg tables:
 *
 * <ul>
 *   <li>{@code <group>__tiles}: key columns, {@code group_version}, {@code hop} (microseconds),
 *       {@code tile_start}, {@code tile} (RowAggregator's canonical bytes), {@code latest_event}
 *       (the tile's latest event time), partitioned by day(tile_start). One row per (key, hop,
 *       tile) with events in the range.
 *   <li>{@code <group>}: key columns, {@code day}, {@code as_of} (the day's end, exclusive), one
 *       column per feature, partitioned by day. A key has a row for a day when some feature's
 *       window as of that day's end holds an event of the key ({@link TileGeometry#isActive}).
 * </ul>
 *
 * Each table's range is replaced in one Iceberg commit (overwrite by filter): rerunning a range
 * leaves no duplicates, and a job killed before its commit leaves the previous snapshot.
 *
 * <p>Rows are computed per key (spread over tasks by key) and written per day (spread over tasks
 * by day, sorted by day, one open file per task: {@link IcebergWrites#replaceRange}), so memory
 * does not grow with the number of days in the range; see batch-jobs/README.md, "Memory".
 */
public final class BackfillJob {
  static final String KEY = "_k";
  static final String TIME = "_t";
  /** The tiles table's column of a tile's latest event time: what materialize hands the store as {@code @t}. */
  static final String LATEST_EVENT = "latest_event";

  private final JobContext ctx;

  public BackfillJob(JobContext ctx) {
    this.ctx = ctx;
  }

  /** What a backfill wrote. */
  public record Result(String group, long events, long tiles, long snapshotRows, List<Long> snapshotIds) {}

  /**
   * The UTC day of the group's first event, or empty when its source has none: where an
   * incremental backfill without --from starts.
   */
  public Optional<LocalDate> firstEventDay(String groupName) {
    CompiledPlan plan = ctx.plan();
    CompiledGroup g = plan.group(groupName).orElseThrow();
    CompiledSource src = plan.source(g.source()).orElseThrow();
    Row min = keyed(g, ctx.read(src).events()).agg(functions.min(functions.col(TIME))).first();
    return min.isNullAt(0) ? Optional.empty()
        : Optional.of(LocalDate.ofEpochDay(Math.floorDiv(min.getLong(0), Durations.DAY)));
  }

  public Result run(String groupName, LocalDate from, LocalDate to) {
    CompiledPlan plan = ctx.plan();
    CompiledGroup g = plan.group(groupName).orElseThrow(() -> new JobException("Cannot backfill group '" + groupName
        + "': no such feature group (known: " + String.join(", ", plan.groups().stream().map(CompiledGroup::name).toList()) + ")."));
    if (to.isBefore(from)) {
      throw new JobException("Cannot backfill group '" + groupName + "': --to " + to + " is before --from " + from + ".");
    }
    long fromMicros = SparkValues.micros(from.atStartOfDay(ZoneOffset.UTC).toInstant());
    long toEnd = SparkValues.micros(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    CompiledSource src = plan.source(g.source()).orElseThrow();
    Dataset<Row> keyed = keyed(g, ctx.read(src).events());

    // Tiles: only the events of the range (hops divide a day, so the range's tiles are whole).
    Dataset<Row> inRange = keyed.where(functions.col(TIME).geq(fromMicros).and(functions.col(TIME).lt(toEnd)));
    Dataset<Row> tiles = inRange.repartition(ctx.partitions(), functions.col(KEY)).sortWithinPartitions(KEY, TIME)
        .mapPartitions(new TileSweep(ctx.planRef(), g.name()), Encoders.row(tileSchema(g)));
    String tilesTable = ctx.table(g.name() + "__tiles");
    ctx.progress().say("backfill " + g.name() + ": tiles of " + from + " .. " + to + " -> " + tilesTable);
    Column tileRange = functions.col("tile_start").geq(functions.lit(Instant.ofEpochSecond(fromMicros / 1_000_000)))
        .and(functions.col("tile_start").lt(functions.lit(Instant.ofEpochSecond(toEnd / 1_000_000))));
    long days = to.toEpochDay() - from.toEpochDay() + 1;
    Column tileDay = functions.floor(functions.unix_micros(functions.col("tile_start")).divide(Durations.DAY));
    long tileRows = IcebergWrites.replaceRange(ctx, tilesTable, tiles, tileDay, days, tileRange,
        functions.days(functions.col("tile_start")), g.version());

    // Snapshots: the events that can count in a value as of a day end of the range.
    long neededFrom = TileGeometry.of(g).eventsNeededFrom(fromMicros + Durations.DAY);
    Dataset<Row> needed = keyed.where(functions.col(TIME).geq(neededFrom).and(functions.col(TIME).lt(toEnd)));
    Dataset<Row> snapshots = needed.repartition(ctx.partitions(), functions.col(KEY)).sortWithinPartitions(KEY, TIME)
        .mapPartitions(new SnapshotSweep(ctx.planRef(), g.name(), fromMicros, toEnd), Encoders.row(snapshotSchema(g)));
    String snapshotTable = ctx.table(g.name());
    ctx.progress().say("backfill " + g.name() + ": daily snapshots -> " + snapshotTable);
    Column dayRange = functions.col("day").geq(functions.lit(from)).and(functions.col("day").leq(functions.lit(to)));
    long snapshotRows = IcebergWrites.replaceRange(ctx, snapshotTable, snapshots, functions.col("day"), days, dayRange,
        functions.col("day"), g.version());

    long events = inRange.count();
    ctx.progress().say(String.format(Locale.ROOT, "backfill %s: %,d events, %,d tiles, %,d snapshot rows", g.name(), events, tileRows, snapshotRows));
    List<Long> snapshotIds = new ArrayList<>();
    IcebergWrites.snapshotId(ctx, tilesTable).ifPresent(snapshotIds::add);
    IcebergWrites.snapshotId(ctx, snapshotTable).ifPresent(snapshotIds::add);
    return new Result(g.name(), events, tileRows, snapshotRows, snapshotIds);
  }

  /** Events of the group with their key: _k, the typed key columns (_key_<name>), _t, source columns. */
  private Dataset<Row> keyed(CompiledGroup g, Dataset<Row> events) {
    StructType schema = new StructType().add(KEY, DataTypes.StringType, false);
    for (KeyColumn k : g.keys()) {
      schema = schema.add("_key_" + k.name(), SparkValues.internalType(k.type()), false);
    }
    schema = schema.add(TIME, DataTypes.LongType, false);
    for (var f : events.schema().fields()) {
      schema = schema.add(f.name(), f.dataType(), true);
    }
    return events.mapPartitions(new KeyEvents(ctx.planRef(), g.name()), Encoders.row(schema));
  }

  static StructType tileSchema(CompiledGroup g) {
    StructType s = new StructType();
    for (KeyColumn k : g.keys()) {
      s = s.add(k.name(), SparkValues.outputType(k.type()), false);
    }
    return s.add("group_version", DataTypes.StringType, false)
        .add("hop", DataTypes.LongType, false)
        .add("tile_start", DataTypes.TimestampType, false)
        .add("tile", DataTypes.BinaryType, false)
        .add(LATEST_EVENT, DataTypes.TimestampType, true);
  }

  static StructType snapshotSchema(CompiledGroup g) {
    StructType s = new StructType();
    for (KeyColumn k : g.keys()) {
      s = s.add(k.name(), SparkValues.outputType(k.type()), false);
    }
    s = s.add("day", DataTypes.DateType, false).add("as_of", DataTypes.TimestampType, false);
    for (CompiledFeature f : g.features()) {
      s = s.add(f.name(), SparkValues.outputType(f.type()), true);
    }
    return s;
  }

  private static final class KeyEvents implements MapPartitionsFunction<Row, Row> {
    private final ProjectSnapshot ref;
    private final String group;

    KeyEvents(ProjectSnapshot ref, String group) {
      this.ref = ref;
      this.group = group;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      GroupTiler tiler = GroupTiler.of(ref.plan(), group);
      int n = tiler.schema().size();
      int keys = tiler.keyNames().size();
      return TrainingSetJob.filterMap(input, r -> {
        Object[] row = TrainingSetJob.rowValues(r, n);
        List<Object> key = tiler.keyOf(row);
        if (key == null) {
          return null;
        }
        Object[] out = new Object[2 + keys + n];
        out[0] = Keys.encode(key);
        for (int i = 0; i < keys; i++) {
          out[1 + i] = key.get(i);
        }
        out[1 + keys] = tiler.eventTime(row);
        System.arraycopy(row, 0, out, 2 + keys, n);
        return RowFactory.create(out);
      });
    }
  }

  /**
   * Base of the per-key sweeps over keyed rows sorted by (key, time). A sweep may owe more rows
   * than it hands over at once (a snapshot row per day of a gap of decades): the iterator asks
   * for them batch by batch, so a task holds a bounded number of output rows whatever the gaps.
   */
  private abstract static class PerKey implements MapPartitionsFunction<Row, Row> {
    final ProjectSnapshot ref;
    final String group;

    PerKey(ProjectSnapshot ref, String group) {
      this.ref = ref;
      this.group = group;
    }

    abstract boolean keepTiles();

    /** Called before the key's first event. */
    abstract void startKey(Object[] key);

    /** Called for each event (time order), rows to emit appended to out; true when it owes more ({@link #more}). */
    abstract boolean event(KeySweep sweep, long t, Object[] row, List<Row> out);

    /** Called after the key's last event; true when it owes more rows. */
    abstract boolean endKey(KeySweep sweep, List<Row> out);

    /** Appends some of the rows owed to out; true while it owes more. */
    boolean more(KeySweep sweep, List<Row> out) {
      return false;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      GroupTiler tiler = GroupTiler.of(ref.plan(), group);
      KeySweep sweep = new KeySweep(tiler, keepTiles());
      int n = tiler.schema().size();
      int keys = tiler.keyNames().size();
      return new Iterator<>() {
        private final List<Row> pending = new ArrayList<>();
        private int next;
        private String current;
        private boolean started;
        private boolean ended;
        private boolean owing;
        /** A new key's first row, read while the previous key still owed rows. */
        private Row held;
        private boolean done;

        @Override
        public boolean hasNext() {
          while (next >= pending.size() && !done) {
            pending.clear();
            next = 0;
            if (owing) {
              owing = more(sweep, pending);
              continue;
            }
            Row r = held != null ? held : input.hasNext() ? input.next() : null;
            held = null;
            if (r == null) {
              if (started && !ended) {
                ended = true;
                owing = endKey(sweep, pending);
              } else {
                done = true;
              }
              continue;
            }
            String k = r.getString(0);
            if (started && !ended && !Objects.equals(k, current)) {
              ended = true;
              held = r;
              owing = endKey(sweep, pending);
              continue;
            }
            if (!started || !Objects.equals(k, current)) {
              sweep.reset();
              current = k;
              started = true;
              ended = false;
              Object[] key = new Object[keys];
              for (int i = 0; i < keys; i++) {
                key[i] = r.get(1 + i);
              }
              startKey(key);
            }
            Object[] row = new Object[n];
            for (int i = 0; i < n; i++) {
              row[i] = r.get(2 + keys + i);
            }
            owing = event(sweep, r.getLong(1 + keys), row, pending);
          }
          return next < pending.size();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return pending.get(next++);
        }
      };
    }
  }

  /** Emits each closed tile of each key: key, version, hop, start, canonical bytes, latest event time. */
  private static final class TileSweep extends PerKey {
    private transient Object[] key;
    private transient KeySweep.ClosedTiles sink;
    private transient List<Row> out;

    TileSweep(ProjectSnapshot ref, String group) {
      super(ref, group);
    }

    @Override
    boolean keepTiles() {
      return false;
    }

    @Override
    void startKey(Object[] k) {
      key = k;
    }

    private KeySweep.ClosedTiles sink(KeySweep sweep, List<Row> target) {
      out = target;
      if (sink == null) {
        GroupTiler tiler = sweep.tiler();
        String version = tiler.group().version();
        sink = (spec, start, irs, latestEvent) -> {
          RowAggregator agg = tiler.aggregator(spec);
          Object[] row = new Object[key.length + 5];
          for (int i = 0; i < key.length; i++) {
            row[i] = key[i];
          }
          row[key.length] = version;
          row[key.length + 1] = tiler.hop(spec);
          row[key.length + 2] = SparkValues.toOutput(DataType.TIMESTAMP, start);
          row[key.length + 3] = agg.encode(irs);
          row[key.length + 4] = SparkValues.toOutput(DataType.TIMESTAMP, latestEvent);
          out.add(RowFactory.create(row));
        };
      }
      return sink;
    }

    @Override
    boolean event(KeySweep sweep, long t, Object[] row, List<Row> target) {
      sweep.add(row, sink(sweep, target));
      return false;
    }

    @Override
    boolean endKey(KeySweep sweep, List<Row> target) {
      sweep.flush(sink(sweep, target));
      return false;
    }
  }

  /** Emits every feature of the key as of each day end of the range while the key is active. */
  private static final class SnapshotSweep extends PerKey {
    /** The most rows handed over at once. */
    private static final int BATCH = 256;
    private final long fromMicros;
    private final long toEnd;
    private transient Object[] key;
    private transient long nextDayEnd;
    /** Rows are owed for the day ends up to here (inclusive)... */
    private transient long target;
    /** ...and then this event joins the sweep (null at the key's end). */
    private transient Object[] waiting;

    SnapshotSweep(ProjectSnapshot ref, String group, long fromMicros, long toEnd) {
      super(ref, group);
      this.fromMicros = fromMicros;
      this.toEnd = toEnd;
    }

    @Override
    boolean keepTiles() {
      return true;
    }

    @Override
    void startKey(Object[] k) {
      key = k;
      nextDayEnd = fromMicros + Durations.DAY;
    }

    @Override
    boolean event(KeySweep sweep, long t, Object[] row, List<Row> out) {
      // Values as of a day end come before the events at that instant (excluded by definition).
      target = t;
      waiting = row;
      return more(sweep, out);
    }

    @Override
    boolean endKey(KeySweep sweep, List<Row> out) {
      target = toEnd;
      waiting = null;
      return more(sweep, out);
    }

    @Override
    boolean more(KeySweep sweep, List<Row> out) {
      CompiledGroup g = sweep.tiler().group();
      TileGeometry geometry = sweep.tiler().geometry();
      long last = Math.min(target, toEnd);
      while (nextDayEnd <= last) {
        if (out.size() >= BATCH) {
          return true;
        }
        long d = nextDayEnd;
        // A row while some window as of the day end holds an event of the key.
        if (!sweep.hasEvents() || !geometry.isActive(sweep.lastEvent(), d)) {
          // Until the next event the key stays inactive (windows only move forward): skip those days.
          nextDayEnd = fromMicros + Durations.DAY * (Math.floorDiv(last - fromMicros, Durations.DAY) + 1);
          break;
        }
        nextDayEnd += Durations.DAY;
        Object[] values = sweep.valuesAsOf(d);
        Object[] row = new Object[key.length + 2 + values.length];
        System.arraycopy(key, 0, row, 0, key.length);
        row[key.length] = LocalDate.ofInstant(Durations.toInstant(d - Durations.DAY), ZoneOffset.UTC);
        row[key.length + 1] = SparkValues.toOutput(DataType.TIMESTAMP, d);
        for (int f = 0; f < values.length; f++) {
          row[key.length + 2 + f] = SparkValues.toOutput(g.features().get(f).type(), values[f]);
        }
        out.add(RowFactory.create(row));
      }
      if (waiting != null) {
        sweep.add(waiting, null);
        waiting = null;
      }
      return false;
    }
  }
}
